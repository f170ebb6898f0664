import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between a gateway and the broker, standing in for its 4G link: it can go silent without
 * closing (a half-open link), be cut (every connection dropped, nothing listening), and come back on
 * the same port.
 */
export async function linkProxy(target: number) {
  const sockets = new Set<Socket>();
  let silent = false;
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((inbound) => {
        const outbound = connect(target, '127.0.0.1');
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        inbound.on('data', (d) => !silent && outbound.write(d));
        outbound.on('data', (d) => !silent && inbound.write(d));
        inbound.on('close', () => outbound.destroy());
        outbound.on('close', () => inbound.destroy());
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server ? server.close(() => resolve()) : resolve();
      server = undefined;
    });
  await listen();
  return {
    get port() {
      return port;
    },
    url: () => `mqtt://127.0.0.1:${port}`,
    goSilent: () => (silent = true),
    cut,
    restore: listen,
    close: cut,
  };
}
