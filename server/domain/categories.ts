/** Program categories (docs/architecture.md): what a broadcast is about, for schedules and reports. */
export const CATEGORIES = ['greeting', 'procedure', 'law', 'emergency', 'news', 'relay', 'music', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, string> = {
  greeting: 'Lời chào, chúc mừng',
  procedure: 'Thủ tục hành chính',
  law: 'Phổ biến pháp luật',
  emergency: 'Khẩn cấp',
  news: 'Tin tức',
  relay: 'Tiếp sóng',
  music: 'Âm nhạc',
  other: 'Khác',
};
