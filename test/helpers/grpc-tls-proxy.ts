import fs from 'node:fs';
import http2 from 'node:http2';
import type net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** A throwaway CA with a server certificate (localhost, 127.0.0.1) and a client certificate, made by openssl. */
export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from another CA: the proxy must refuse it. */
  strangerCert: string;
  strangerKey: string;
}

export function makeTestPki(dir: string): TestPki {
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = (name: string) => ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.crt`), '-days', '2', '-subj', `/CN=${name}`);
  const leaf = (name: string, caName: string, ext: string) => {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${name}`);
    fs.writeFileSync(f(`${name}.ext`), ext);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${caName}.crt`), '-CAkey', f(`${caName}.key`), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`));
  };
  ca('test-ca');
  ca('stranger-ca');
  leaf('server', 'test-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  leaf('client', 'test-ca', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  return {
    dir,
    caCert: f('test-ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    strangerCert: f('stranger.crt'),
    strangerKey: f('stranger.key'),
  };
}

export interface GrpcTlsProxy {
  /** 127.0.0.1:port */
  address: string;
  /** gRPC calls let through, and refused for a missing or wrong API key. */
  stats: { forwarded: number; refused: number; clientCertificates: string[] };
  close(): Promise<void>;
}

/**
 * What a Temporal cluster or Temporal Cloud puts in front of the frontend, in a few lines: TLS with this
 * PKI's server certificate, optionally requiring a client certificate from its CA (mutual TLS) and/or an
 * `authorization: Bearer <apiKey>` header (answered UNAUTHENTICATED otherwise), forwarding each gRPC call
 * over plain HTTP/2 to the dev server.
 */
export async function startGrpcTlsProxy(pki: TestPki, upstreamAddress: string, opts: { requireClientCert: boolean; apiKey?: string }): Promise<GrpcTlsProxy> {
  const stats = { forwarded: 0, refused: 0, clientCertificates: [] as string[] };
  const upstream = http2.connect(`http://${upstreamAddress}`);
  upstream.on('error', () => undefined);
  const server = http2.createSecureServer({
    key: fs.readFileSync(pki.serverKey),
    cert: fs.readFileSync(pki.serverCert),
    ca: fs.readFileSync(pki.caCert),
    requestCert: opts.requireClientCert,
    rejectUnauthorized: opts.requireClientCert,
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('secureConnection', (socket) => {
    const peer = (socket as unknown as { getPeerCertificate(): { subject?: { CN?: string } } }).getPeerCertificate();
    if (peer?.subject?.CN) stats.clientCertificates.push(peer.subject.CN);
  });
  server.on('stream', (stream, headers) => {
    if (opts.apiKey !== undefined && headers.authorization !== `Bearer ${opts.apiKey}`) {
      stats.refused += 1;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'missing or wrong API key' }, { endStream: true });
      return;
    }
    stats.forwarded += 1;
    const forwarded: http2.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) if (k !== ':scheme' && k !== ':authority' && k !== 'authorization') forwarded[k] = v;
    const out = upstream.request(forwarded);
    let trailers: http2.IncomingHttpHeaders = {};
    // Either side may go away first (a worker cancels its long polls when it shuts down).
    const open = () => !stream.destroyed && !stream.closed;
    out.on('response', (h) => {
      if (!open()) return;
      const { ':status': status, ...rest } = h;
      if ('grpc-status' in rest) stream.respond({ ':status': status, ...rest }, { endStream: true });
      else stream.respond({ ':status': status, ...rest }, { waitForTrailers: true });
    });
    out.on('trailers', (t) => (trailers = t));
    stream.on('wantTrailers', () => open() && stream.sendTrailers(trailers));
    out.on('data', (d: Buffer) => open() && stream.headersSent && stream.write(d));
    out.on('end', () => open() && stream.headersSent && stream.end());
    out.on('error', () => open() && stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('data', (d: Buffer) => !out.destroyed && out.write(d));
    stream.on('end', () => !out.destroyed && out.end());
    stream.on('close', () => !out.destroyed && out.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    stats,
    async close() {
      for (const session of sessions) session.destroy();
      upstream.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
