import { useMemo } from 'react';
import { encodeQr, qrPath } from './qr-code';

/** A QR code drawn as an SVG in the page (nothing fetched, no canvas), described by `label`. */
export function QrImage(props: { text: string; label: string }) {
  const matrix = useMemo(() => {
    try {
      return encodeQr(props.text);
    } catch {
      // Too long for the encoder: the key typed by hand still works.
      return undefined;
    }
  }, [props.text]);
  if (matrix === undefined) return null;
  const size = matrix.length + 8;
  return (
    <svg
      className="qr"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={qrPath(matrix)} fill="#000" />
    </svg>
  );
}
