/** What a manifest item says about its audio: the program's title and its approved asset. */
export interface AssetRef { title: string; sha256: string; bytes: number; durationMs: number; url: string }
