import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HttpsOnlyNamespaceOptions {
  /** Names the namespace resolves to the appliance address (its own /etc/hosts, through `ip netns exec`). */
  hosts: string[];
}

export interface HttpsOnlyNamespace {
  name: string;
  /** The appliance's side of the veth pair: the only destination allowed out of the namespace (TCP 443). */
  applianceAddress: string;
  /** The namespace's side. */
  clientAddress: string;
  /** An executable running its arguments inside the namespace (`ip netns exec <name> …`). */
  wrap(program: string): string;
  /**
   * Sends from inside the namespace to the appliance's `port`: `open` (TCP connected, UDP datagram sent),
   * `refused` (it reached the appliance, where nothing listens) or `dropped` (the output filter stopped it).
   */
  reach(protocol: 'tcp' | 'udp', port: number): 'open' | 'refused' | 'dropped';
  /** Deletes the namespace, the veth pair, the hosts file and the wrappers (safe to call twice). */
  close(): void;
}

function run(args: string[], input?: string): string {
  return execFileSync(args[0]!, args.slice(1), {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input !== undefined ? { input } : {}),
  });
}

/** nftables inside the namespace: out only to the appliance's TCP 443 (and loopback); everything else dropped. */
function outputFilter(appliance: string): string {
  return `table inet conclave_https_only {
  chain output {
    type filter hook output priority 0; policy accept;
    oif "lo" accept
    ip daddr ${appliance} tcp dport 443 accept
    counter drop
  }
}
`;
}

/**
 * A network namespace for a browser in a locked-down office: one veth pair in a private /30 of 10.213.0.0/16 (the
 * traffic never leaves this machine), and an nftables output filter that lets only TCP 443 of the appliance's
 * address out, UDP included in what is dropped. Needs root, `ip` (iproute2) and `nft` (nftables).
 */
export function startHttpsOnlyNamespace(options: HttpsOnlyNamespaceOptions): HttpsOnlyNamespace {
  const id = randomBytes(3).toString('hex');
  const name = `conclave-https-${id}`;
  const hostIf = `chs${id}`;
  const nsIf = `chn${id}`;
  const base = randomInt(0, 64) * 4;
  const subnet = `10.213.${randomInt(0, 256)}`;
  const applianceAddress = `${subnet}.${base + 1}`;
  const clientAddress = `${subnet}.${base + 2}`;
  const etcDir = join('/etc/netns', name);
  const binDir = mkdtempSync(join(tmpdir(), 'conclave-netns-'));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const args of [
      ['ip', 'netns', 'delete', name],
      ['ip', 'link', 'delete', hostIf],
    ]) {
      try {
        run(args);
      } catch {
        // already gone (deleting the namespace deletes its end of the pair, and so the pair)
      }
    }
    rmSync(etcDir, { recursive: true, force: true });
    rmSync(binDir, { recursive: true, force: true });
  };
  try {
    run(['ip', 'netns', 'add', name]);
    run(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run(['ip', 'link', 'set', nsIf, 'netns', name]);
    run(['ip', 'addr', 'add', `${applianceAddress}/30`, 'dev', hostIf]);
    run(['ip', 'link', 'set', hostIf, 'up']);
    const inNs = ['ip', 'netns', 'exec', name];
    run([...inNs, 'ip', 'addr', 'add', `${clientAddress}/30`, 'dev', nsIf]);
    run([...inNs, 'ip', 'link', 'set', nsIf, 'up']);
    run([...inNs, 'ip', 'link', 'set', 'lo', 'up']);
    run([...inNs, 'ip', 'route', 'add', 'default', 'via', applianceAddress]);
    run([...inNs, 'nft', '-f', '-'], outputFilter(applianceAddress));
    mkdirSync(etcDir, { recursive: true });
    writeFileSync(
      join(etcDir, 'hosts'),
      `127.0.0.1 localhost\n${applianceAddress} ${options.hosts.join(' ')}\n`,
    );
    // No name server is reachable: resolution stops at the hosts file.
    writeFileSync(join(etcDir, 'resolv.conf'), '');
  } catch (error) {
    close();
    throw error;
  }
  return {
    name,
    applianceAddress,
    clientAddress,
    wrap(program) {
      const file = join(binDir, `${program.split('/').pop()!}-in-${name}`);
      writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${name} ${program} "$@"\n`);
      chmodSync(file, 0o755);
      return file;
    },
    reach(protocol, port) {
      const probe = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          name,
          'timeout',
          '3',
          'bash',
          '-c',
          `echo > /dev/${protocol}/${applianceAddress}/${port}`,
        ],
        { encoding: 'utf8' },
      );
      if (probe.status === 0) return 'open';
      if (probe.stderr.includes('Connection refused')) return 'refused';
      if (probe.status === 124 || probe.stderr.includes('Operation not permitted')) return 'dropped';
      throw new Error(`probe of ${protocol}/${port} failed: ${probe.stderr}`);
    },
    close,
  };
}
