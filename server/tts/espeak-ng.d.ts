declare module 'espeak-ng' {
  interface ESpeakModule {
    FS: { readFile(path: string): Uint8Array; writeFile(path: string, data: string | Uint8Array): void };
  }
  const ESpeakNg: (options: Record<string, unknown>) => Promise<ESpeakModule>;
  export default ESpeakNg;
}
