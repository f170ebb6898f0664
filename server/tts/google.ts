import { chunkText, concatWav, TtsError, type Speech, type SpeechRequest, type TtsProvider } from './provider.js';

export interface GoogleTtsOptions {
  /** host:port of the API; Google's own when unset. */
  endpoint?: string;
  /** Plain-text gRPC, only for a local endpoint (tests, a proxy on the same machine). */
  insecure?: boolean;
  defaultVoice?: string;
}

export const GOOGLE_VI_VOICES = [
  'vi-VN-Standard-A', 'vi-VN-Standard-B', 'vi-VN-Standard-C', 'vi-VN-Standard-D',
  'vi-VN-Wavenet-A', 'vi-VN-Wavenet-B', 'vi-VN-Wavenet-C', 'vi-VN-Wavenet-D',
  'vi-VN-Neural2-A', 'vi-VN-Neural2-D',
] as const;

/** The API takes at most 5,000 bytes of input per request. */
const MAX_INPUT_BYTES = 4500;

/**
 * Google Cloud Text-to-Speech (`google.cloud.texttospeech.v1.TextToSpeech/SynthesizeSpeech` over gRPC),
 * vi-VN voices, LINEAR16 at 24 kHz. Credentials come the usual Google way (GOOGLE_APPLICATION_CREDENTIALS).
 * Long text is spoken in pieces at sentence ends and joined.
 */
export async function googleProvider(opts: GoogleTtsOptions = {}): Promise<TtsProvider> {
  const [{ TextToSpeechClient }, grpc] = await Promise.all([import('@google-cloud/text-to-speech').then((m) => m.default ?? m), import('@grpc/grpc-js')]);
  const [host, port] = (opts.endpoint ?? '').split(':');
  const client = new TextToSpeechClient({
    ...(host ? { apiEndpoint: host, port: Number(port || 443) } : {}),
    ...(opts.insecure ? { sslCreds: grpc.credentials.createInsecure() } : {}),
  });
  const defaultVoice = opts.defaultVoice ?? 'vi-VN-Standard-A';
  return {
    name: 'google',
    voices: GOOGLE_VI_VOICES,
    defaultVoice,
    async synthesize(req: SpeechRequest): Promise<Speech> {
      const voice = req.voice ?? defaultVoice;
      if (!voice.startsWith('vi-VN-')) throw new TtsError(`Voice ${voice} is not a Vietnamese (vi-VN) voice`);
      const parts: Uint8Array[] = [];
      for (const text of chunkText(req.text, MAX_INPUT_BYTES)) {
        try {
          const [res] = await client.synthesizeSpeech({
            input: { text },
            voice: { languageCode: 'vi-VN', name: voice },
            audioConfig: { audioEncoding: 'LINEAR16', sampleRateHertz: 24000, speakingRate: req.speakingRate ?? 1, pitch: req.pitch ?? 0 },
          }, { timeout: 60_000, retry: null });
          if (!res.audioContent?.length) throw new TtsError('Google Text-to-Speech returned no audio');
          parts.push(typeof res.audioContent === 'string' ? Buffer.from(res.audioContent, 'base64') : res.audioContent);
        } catch (err) {
          if (err instanceof TtsError) throw err;
          throw new TtsError(`Google Text-to-Speech refused the request: ${(err as Error).message}`);
        }
      }
      return { audio: concatWav(parts), ext: 'wav', voice: `google/${voice}` };
    },
    close: () => client.close(),
  };
}
