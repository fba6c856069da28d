import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ipToBytes } from './addresses';

/** RFC 8489 §5: every STUN message carries this magic cookie. */
const MAGIC_COOKIE = 0x2112a442;
const HEADER_LENGTH = 20;

/** Methods (RFC 8656 §17) and the class bits of a success or error response (RFC 8489 §5). */
const METHOD = { allocate: 0x003, refresh: 0x004, createPermission: 0x008, channelBind: 0x009 } as const;
const SUCCESS = 0x0100;
const ERROR = 0x0110;

/** Attribute types (RFC 8489 §18.3, RFC 8656 §18). */
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  channelNumber: 0x000c,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
} as const;

/** Protocol numbers in REQUESTED-TRANSPORT (RFC 8656 §18.7; TCP relaying is RFC 6062). */
const TRANSPORT_UDP = 17;
const TRANSPORT_TCP = 6;

/** The answer of the TURN server to one request. */
export type TurnAnswer =
  | { ok: true; relayed?: TransportAddress; mapped?: TransportAddress; lifetime?: number }
  | { ok: false; code: number; reason: string };

export interface TransportAddress {
  address: string;
  port: number;
}

interface StunMessage {
  type: number;
  transactionId: Buffer;
  attributes: Map<number, Buffer>;
}

/** How the client reaches the server: UDP datagrams or a TCP/TLS byte stream (RFC 8489 §6.2.2 framing). */
interface StunTransport {
  send(data: Buffer): void;
  /** Whether lost requests must be retransmitted (RFC 8489 §6.2.1). */
  readonly reliable: boolean;
  onMessage(listener: (data: Buffer) => void): void;
  close(): void;
}

export interface AllocateOptions {
  /** Requested lifetime in seconds. */
  lifetime?: number;
  /** Family of the relayed address (IPv4 by default). */
  family?: 'ipv4' | 'ipv6';
  /** Relayed transport: UDP (RFC 8656) by default, TCP (RFC 6062) only over a TCP or TLS connection. */
  transport?: 'udp' | 'tcp';
}

export interface TurnClientOptions {
  /** How long one request may wait for its answer, in milliseconds. */
  timeoutMs?: number;
}

/**
 * A small TURN client (RFC 8656 over RFC 8489) with long-term credentials: Allocate, CreatePermission,
 * ChannelBind, Refresh. Enough to check what a relay grants or refuses (tests, `conclave doctor`); it never sends
 * data to a peer.
 */
export class TurnClient {
  private readonly pending = new Map<string, (message: StunMessage) => void>();
  private auth?: { username: string; realm: string; nonce: Buffer; key: Buffer };

  private constructor(
    private readonly transport: StunTransport,
    private readonly timeoutMs: number,
  ) {
    transport.onMessage((data) => {
      const message = decode(data);
      if (message === undefined) return;
      const key = message.transactionId.toString('hex');
      const resolve = this.pending.get(key);
      if (resolve === undefined) return;
      this.pending.delete(key);
      resolve(message);
    });
  }

  /** A client over UDP from an ephemeral local port (one UDP 5-tuple = one allocation). */
  static async udp(host: string, port: number, options: TurnClientOptions = {}): Promise<TurnClient> {
    const socket: UdpSocket = createSocket(isIPv4(host) ? 'udp4' : 'udp6');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => undefined);
    return new TurnClient(
      {
        reliable: false,
        send: (data) => socket.send(data),
        onMessage: (listener) => socket.on('message', (data) => listener(data)),
        close: () => socket.close(),
      },
      options.timeoutMs ?? 5000,
    );
  }

  /** A client over TLS (`turns:`), e.g. through the SNI edge with `servername` set to the TURN name. */
  static async tls(options: ConnectionOptions & TurnClientOptions): Promise<TurnClient> {
    const socket: TLSSocket = tlsConnect(options);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    const listeners: ((data: Buffer) => void)[] = [];
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = HEADER_LENGTH + buffered.readUInt16BE(2);
        if (buffered.length < length) break;
        const frame = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        for (const listener of listeners) listener(frame);
      }
    });
    return new TurnClient(
      {
        reliable: true,
        send: (data) => socket.write(data),
        onMessage: (listener) => listeners.push(listener),
        close: () => socket.destroy(),
      },
      options.timeoutMs ?? 5000,
    );
  }

  /**
   * Allocate (RFC 8656 §7.1) a UDP relay with long-term credentials: the first request learns the realm and
   * nonce from the server's 401, the second carries USERNAME, REALM, NONCE and MESSAGE-INTEGRITY.
   */
  async allocate(username: string, password: string, options: AllocateOptions = {}): Promise<TurnAnswer> {
    const protocol = options.transport === 'tcp' ? TRANSPORT_TCP : TRANSPORT_UDP;
    const transport = attribute(ATTR.requestedTransport, Buffer.from([protocol, 0, 0, 0]));
    const extra = [
      ...(options.lifetime === undefined ? [] : [attribute(ATTR.lifetime, uint32(options.lifetime))]),
      // RFC 8656 §18.8 (RFC 6156): 0x01 IPv4, 0x02 IPv6.
      ...(options.family === 'ipv6'
        ? [attribute(ATTR.requestedAddressFamily, Buffer.from([0x02, 0, 0, 0]))]
        : []),
    ];
    const challenge = await this.request(METHOD.allocate, () => [transport, ...extra], false);
    if (challenge.type !== (METHOD.allocate | ERROR)) return answer(challenge);
    const realm = challenge.attributes.get(ATTR.realm);
    const nonce = challenge.attributes.get(ATTR.nonce);
    if (realm === undefined || nonce === undefined) return answer(challenge);
    // RFC 8489 §9.2.2: key = MD5(username ":" realm ":" password), the MD5 the long-term mechanism specifies.
    const key = createHash('md5')
      .update(`${username}:${realm.toString('utf8')}:${password}`)
      .digest();
    this.auth = { username, realm: realm.toString('utf8'), nonce, key };
    return this.authenticated(METHOD.allocate, () => [transport, ...extra]);
  }

  /** CreatePermission (RFC 8656 §9) for one peer address; nothing is sent to the peer. */
  createPermission(peer: string): Promise<TurnAnswer> {
    return this.authenticated(METHOD.createPermission, (id) => [
      xorAddress(ATTR.xorPeerAddress, peer, 9, id),
    ]);
  }

  /** ChannelBind (RFC 8656 §12) of a channel number (0x4000–0x4FFF) to a peer. */
  channelBind(channel: number, peer: string, port: number): Promise<TurnAnswer> {
    return this.authenticated(METHOD.channelBind, (id) => [
      attribute(ATTR.channelNumber, Buffer.from([channel >> 8, channel & 0xff, 0, 0])),
      xorAddress(ATTR.xorPeerAddress, peer, port, id),
    ]);
  }

  /** Refresh (RFC 8656 §8); lifetime 0 deletes the allocation. */
  refresh(lifetime: number): Promise<TurnAnswer> {
    return this.authenticated(METHOD.refresh, () => [attribute(ATTR.lifetime, uint32(lifetime))]);
  }

  close(): void {
    this.transport.close();
  }

  /** Attributes are built per transaction: XOR-PEER-ADDRESS of an IPv6 peer is masked with its id. */
  private async authenticated(
    method: number,
    attributes: (transactionId: Buffer) => Buffer[],
    retried = false,
  ): Promise<TurnAnswer> {
    if (this.auth === undefined) throw new Error('allocate first');
    const response = await this.request(method, attributes, true);
    // RFC 8489 §9.2.5: 438 Stale Nonce carries a fresh nonce; retry once with it.
    if (!retried && errorCode(response)?.code === 438) {
      const nonce = response.attributes.get(ATTR.nonce);
      if (nonce !== undefined) this.auth.nonce = nonce;
      return this.authenticated(method, attributes, true);
    }
    return answer(response);
  }

  private request(
    method: number,
    attributes: (transactionId: Buffer) => Buffer[],
    sign: boolean,
  ): Promise<StunMessage> {
    const transactionId = randomBytes(12);
    const body = attributes(transactionId);
    if (sign && this.auth !== undefined) {
      body.push(
        attribute(ATTR.username, Buffer.from(this.auth.username, 'utf8')),
        attribute(ATTR.realm, Buffer.from(this.auth.realm, 'utf8')),
        attribute(ATTR.nonce, this.auth.nonce),
      );
    }
    let message = encode(method, transactionId, body);
    if (sign && this.auth !== undefined) {
      // RFC 8489 §14.5: HMAC-SHA1 over the message whose length already counts the 24-byte attribute.
      const withLength = Buffer.from(message);
      withLength.writeUInt16BE(message.length - HEADER_LENGTH + 24, 2);
      const mac = createHmac('sha1', this.auth.key).update(withLength).digest();
      message = encode(method, transactionId, [...body, attribute(ATTR.messageIntegrity, mac)]);
    }
    const key = transactionId.toString('hex');
    return new Promise<StunMessage>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const done = (result: StunMessage | Error) => {
        for (const timer of timers) clearTimeout(timer);
        this.pending.delete(key);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      this.pending.set(key, done);
      this.transport.send(message);
      if (!this.transport.reliable) {
        // RFC 8489 §6.2.1 retransmissions, shortened: the server is on the same host or network.
        for (let delay = 250; delay < this.timeoutMs; delay *= 2)
          timers.push(setTimeout(() => this.transport.send(message), delay));
      }
      timers.push(setTimeout(() => done(new Error('no answer from the TURN server')), this.timeoutMs));
    });
  }
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

function attribute(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

function encode(method: number, transactionId: Buffer, attributes: Buffer[]): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(method, 0);
  header.writeUInt16BE(body.length, 2);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  return Buffer.concat([header, body]);
}

function decode(data: Buffer): StunMessage | undefined {
  if (data.length < HEADER_LENGTH || data.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const length = data.readUInt16BE(2);
  if (HEADER_LENGTH + length > data.length) return undefined;
  const attributes = new Map<number, Buffer>();
  for (let offset = HEADER_LENGTH; offset + 4 <= HEADER_LENGTH + length;) {
    const type = data.readUInt16BE(offset);
    const size = data.readUInt16BE(offset + 2);
    if (!attributes.has(type)) attributes.set(type, data.subarray(offset + 4, offset + 4 + size));
    offset += 4 + Math.ceil(size / 4) * 4;
  }
  return { type: data.readUInt16BE(0), transactionId: data.subarray(8, 20), attributes };
}

/** XOR-PEER-ADDRESS and friends (RFC 8489 §14.2): port and address masked with the cookie (and the id for v6). */
function xorAddress(type: number, ip: string, port: number, transactionId: Buffer): Buffer {
  const address = ipToBytes(ip);
  const mask = Buffer.concat([uint32(MAGIC_COOKIE), transactionId]);
  const value = Buffer.alloc(4 + address.length);
  value[1] = address.length === 4 ? 0x01 : 0x02;
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  for (let i = 0; i < address.length; i++) value[4 + i] = address[i]! ^ mask[i]!;
  return attribute(type, value);
}

function readXorAddress(value: Buffer | undefined, transactionId: Buffer): TransportAddress | undefined {
  if (value === undefined || value.length < 8) return undefined;
  const mask = Buffer.concat([uint32(MAGIC_COOKIE), transactionId]);
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const bytes = Buffer.from(value.subarray(4).map((b, i) => b ^ mask[i]!));
  const address =
    bytes.length === 4
      ? [...bytes].join('.')
      : (bytes.toString('hex').match(/.{4}/g) ?? []).map((h) => h.replace(/^0{1,3}/, '')).join(':');
  return { address, port };
}

function errorCode(message: StunMessage): { code: number; reason: string } | undefined {
  const value = message.attributes.get(ATTR.errorCode);
  if (value === undefined || value.length < 4) return undefined;
  return { code: (value[2]! & 0x07) * 100 + value[3]!, reason: value.subarray(4).toString('utf8') };
}

function answer(message: StunMessage): TurnAnswer {
  if ((message.type & 0x0110) === SUCCESS) {
    const lifetime = message.attributes.get(ATTR.lifetime);
    return {
      ok: true,
      ...optional(
        'relayed',
        readXorAddress(message.attributes.get(ATTR.xorRelayedAddress), message.transactionId),
      ),
      ...optional(
        'mapped',
        readXorAddress(message.attributes.get(ATTR.xorMappedAddress), message.transactionId),
      ),
      ...(lifetime !== undefined && lifetime.length === 4 ? { lifetime: lifetime.readUInt32BE(0) } : {}),
    };
  }
  const error = errorCode(message);
  return { ok: false, code: error?.code ?? 0, reason: error?.reason ?? 'error response without ERROR-CODE' };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
