import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';

/**
 * A bare aedes broker on a free port, for tests of the agent's link without the server: it records
 * every message that passes through it and can hold back its PUBACKs, as a dying link does.
 */
export async function testBroker() {
  let withholdAcks = false;
  const published: { topic: string; payload: string; retain: boolean; clientId: string | null }[] = [];
  const aedes = await Aedes.createBroker({
    maxClientsIdLength: 128,
    authorizePublish(client, packet, done) {
      // Never answering leaves the QoS 1 publish without its PUBACK.
      if (!withholdAcks || !client) done(null);
    },
  });
  aedes.on('publish', (packet, client) => {
    if (!packet.topic.startsWith('$SYS')) published.push({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain, clientId: client?.id ?? null });
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    aedes,
    url: `mqtt://127.0.0.1:${port}`,
    published,
    holdAcks: (hold: boolean) => (withholdAcks = hold),
    /** Publishes as the server would, in-process. */
    publish: (topic: string, payload: string, retain = false) =>
      new Promise<void>((resolve, reject) => aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false }, (err) => (err ? reject(err) : resolve()))),
    /** Drops a client's connection from the broker's side. */
    drop: (clientId: string) => (aedes as unknown as { clients: Record<string, Client> }).clients[clientId]?.close(),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A TCP port that accepts each connection and closes it at once: a broker that is down behind a live proxy. */
export async function refusingPort() {
  let attempts = 0;
  const server = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`,
    get attempts() {
      return attempts;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
