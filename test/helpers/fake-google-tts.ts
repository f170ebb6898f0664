import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface SynthesizeRequest {
  input: { text?: string; ssml?: string };
  voice: { languageCode: string; name: string };
  audioConfig: { audioEncoding: string; sampleRateHertz: number; speakingRate: number; pitch: number };
}

/** A mono 16-bit WAV of `seconds`: a voiced, syllable-like tone whose pitch follows the request's. */
function speechWav(seconds: number, rate: number, pitch: number): Buffer {
  const n = Math.round(seconds * rate);
  const pcm = Buffer.alloc(n * 2);
  const f0 = 140 * 2 ** (pitch / 12);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const envelope = Math.max(0, Math.sin(2 * Math.PI * 4 * t)) ** 2;
    const v = 0.25 * envelope * (Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(2 * Math.PI * 2 * f0 * t) + 0.25 * Math.sin(2 * Math.PI * 3 * f0 * t));
    pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, v)) * 32767), i * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

/**
 * A local gRPC server implementing `google.cloud.texttospeech.v1.TextToSpeech/SynthesizeSpeech` from
 * Google's own proto (shipped in @google-cloud/text-to-speech), the way the real API answers LINEAR16:
 * a WAV file in `audioContent`, about 70 ms per character at speaking rate 1 (unless told otherwise).
 * It records every request.
 */
export async function startFakeGoogleTts(opts: { refuse?: (req: SynthesizeRequest) => grpc.StatusObject | null; secondsPerChar?: number } = {}) {
  const require = createRequire(import.meta.url);
  const ttsRoot = dirname(require.resolve('@google-cloud/text-to-speech/package.json'));
  const protos = join(ttsRoot, 'build/protos');
  // google/api/*.proto (annotations, client, field_behavior, resource) come with the client's google-gax.
  const gaxMain = require.resolve('google-gax', { paths: [ttsRoot] });
  const gaxProtos = join(gaxMain.slice(0, gaxMain.lastIndexOf('/google-gax/') + '/google-gax/'.length), 'build/protos');
  const def = protoLoader.loadSync('google/cloud/texttospeech/v1/cloud_tts.proto', {
    includeDirs: [protos, gaxProtos], keepCase: false, longs: Number, enums: String, defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    google: { cloud: { texttospeech: { v1: { TextToSpeech: { service: grpc.ServiceDefinition } } } } };
  };
  const requests: SynthesizeRequest[] = [];
  const server = new grpc.Server();
  server.addService(pkg.google.cloud.texttospeech.v1.TextToSpeech.service, {
    synthesizeSpeech(call: grpc.ServerUnaryCall<SynthesizeRequest, unknown>, done: grpc.sendUnaryData<unknown>) {
      const req = call.request;
      requests.push(req);
      const refusal = opts.refuse?.(req);
      if (refusal) return done(refusal);
      const text = req.input.text ?? '';
      const seconds = Math.max(0.5, (text.length * (opts.secondsPerChar ?? 0.07)) / (req.audioConfig.speakingRate || 1));
      done(null, { audioContent: speechWav(seconds, req.audioConfig.sampleRateHertz || 24000, req.audioConfig.pitch || 0) });
    },
    listVoices(_call: unknown, done: grpc.sendUnaryData<unknown>) {
      done(null, { voices: [{ languageCodes: ['vi-VN'], name: 'vi-VN-Standard-A', ssmlGender: 'FEMALE', naturalSampleRateHertz: 24000 }] });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    endpoint: `127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
