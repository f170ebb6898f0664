import { z } from 'zod';

/**
 * The disaster risk levels of Decision 18/2021/QĐ-TTg (cấp độ rủi ro thiên tai), 1 (lowest) to 5,
 * each with the colour the decision gives it. The level sets how an emergency broadcast is played:
 * how many times, how far apart, how loud. The commune may edit the table; these are the defaults.
 */
export interface RiskLevel {
  level: 1 | 2 | 3 | 4 | 5;
  /** Plays in all, the first included. */
  repeats: number;
  /** Seconds between the end of one play and the start of the next. */
  gapSeconds: number;
  /** 0–100, the gateway's volume for this broadcast. */
  volume: number;
}

export const RISK_COLOURS: Record<RiskLevel['level'], { name: string; hex: string }> = {
  1: { name: 'xanh dương nhạt', hex: '#8ecae6' },
  2: { name: 'vàng nhạt', hex: '#ffe66d' },
  3: { name: 'da cam', hex: '#ff9f1c' },
  4: { name: 'đỏ', hex: '#d62828' },
  5: { name: 'tím', hex: '#7b2cbf' },
};

export const RISK_LABELS: Record<RiskLevel['level'], string> = {
  1: 'Cấp độ 1 — rủi ro nhỏ',
  2: 'Cấp độ 2 — rủi ro trung bình',
  3: 'Cấp độ 3 — rủi ro lớn',
  4: 'Cấp độ 4 — rủi ro rất lớn',
  5: 'Cấp độ 5 — thảm họa',
};

/** Higher levels repeat more, sooner and louder: a warning must be heard over wind and rain. */
export const DEFAULT_RISK_LEVELS: RiskLevel[] = [
  { level: 1, repeats: 2, gapSeconds: 600, volume: 80 },
  { level: 2, repeats: 3, gapSeconds: 600, volume: 85 },
  { level: 3, repeats: 3, gapSeconds: 300, volume: 90 },
  { level: 4, repeats: 5, gapSeconds: 300, volume: 100 },
  { level: 5, repeats: 5, gapSeconds: 180, volume: 100 },
];

export const riskLevelSchema = z.object({
  level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  repeats: z.number().int().min(1).max(20),
  gapSeconds: z.number().int().min(0).max(3600),
  volume: z.number().int().min(0).max(100),
});
/** The whole table: five rows, one per level. */
export const riskTableSchema = z.array(riskLevelSchema).length(5).refine((t) => new Set(t.map((r) => r.level)).size === 5, 'one row per level 1–5');

/** How a broadcast at `level` plays, by the commune's table. */
export const riskLevel = (table: RiskLevel[], level: number) => table.find((r) => r.level === level) ?? DEFAULT_RISK_LEVELS[0];
