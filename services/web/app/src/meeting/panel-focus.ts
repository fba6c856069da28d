/** Closes a side panel from its own button and puts focus back on the toggle that opened it. */
export function closePanel(setOpen: (open: false) => void, toggleId: string): void {
  setOpen(false);
  requestAnimationFrame(() => document.getElementById(toggleId)?.focus());
}
