/**
 * Vietnamese text normalisation before speech synthesis: what an announcer would say for digits,
 * dates, times, phone numbers, units and the abbreviations of local government.
 * Northern broadcast reading: "nghìn", "linh", "hai mươi tư".
 */

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];
const SCALES = ['', 'nghìn', 'triệu', 'tỷ', 'nghìn tỷ', 'triệu tỷ'];

export interface NumberStyle {
  /** A final 4 after "mươi": "tư" (hai mươi tư, the usual reading) or "bốn" (dates: ngày hai mươi bốn). */
  four?: 'tư' | 'bốn';
}

function readTriple(n: number, full: boolean, style: NumberStyle): string[] {
  const h = Math.floor(n / 100);
  const t = Math.floor(n / 10) % 10;
  const u = n % 10;
  const out: string[] = [];
  if (h > 0 || full) out.push(DIGITS[h], 'trăm');
  if (t === 0) {
    if (u > 0) out.push(...(h > 0 || full ? ['linh', DIGITS[u]] : [DIGITS[u]]));
  } else if (t === 1) {
    out.push('mười');
    if (u > 0) out.push(u === 5 ? 'lăm' : DIGITS[u]);
  } else {
    out.push(DIGITS[t], 'mươi');
    if (u === 1) out.push('mốt');
    else if (u === 4) out.push(style.four ?? 'tư');
    else if (u === 5) out.push('lăm');
    else if (u > 0) out.push(DIGITS[u]);
  }
  return out;
}

/** 2024 → "hai nghìn không trăm hai mươi tư"; 105 → "một trăm linh năm"; 21 → "hai mươi mốt". */
export function readNumber(value: number | string, style: NumberStyle = {}): string {
  const digits = String(value).replace(/^0+(?=\d)/, '');
  if (!/^\d+$/.test(digits)) throw new Error(`not a whole number: ${value}`);
  if (digits.length > 18) return readDigits(digits);
  if (/^0+$/.test(digits)) return 'không';
  const groups: number[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(Number(digits.slice(Math.max(0, end - 3), end)));
  const words: string[] = [];
  groups.forEach((g, i) => {
    if (g === 0) return;
    const scale = SCALES[groups.length - 1 - i];
    words.push(...readTriple(g, words.length > 0, style), ...(scale ? [scale] : []));
  });
  return words.join(' ');
}

/** One digit at a time: codes, phone numbers. */
export const readDigits = (s: string) => [...s.replace(/\D/g, '')].map((d) => DIGITS[Number(d)]).join(' ');

/** "3,5" → "ba phẩy năm"; the fraction is read as a number unless it starts with 0 (then digit by digit). */
export function readDecimal(whole: string, fraction: string): string {
  const frac = fraction.startsWith('0') ? readDigits(fraction) : readNumber(fraction);
  return `${readNumber(whole)} phẩy ${frac}`;
}

const MONTHS = ['', 'một', 'hai', 'ba', 'tư', 'năm', 'sáu', 'bảy', 'tám', 'chín', 'mười', 'mười một', 'mười hai'];
const WEEKDAYS: Record<string, string> = { '2': 'hai', '3': 'ba', '4': 'tư', '5': 'năm', '6': 'sáu', '7': 'bảy' };

export const readDay = (d: number) => readNumber(d, { four: 'bốn' });
export const readMonth = (m: number) => MONTHS[m];

/** Case-sensitive; the longer forms first so UBMTTQ is not read as UB + MTTQ. */
export const ABBREVIATIONS: [string, string][] = [
  ['CHXHCN Việt Nam', 'Cộng hòa xã hội chủ nghĩa Việt Nam'],
  ['TP.HCM', 'Thành phố Hồ Chí Minh'],
  ['TP HCM', 'Thành phố Hồ Chí Minh'],
  ['UBMTTQ', 'Ủy ban Mặt trận Tổ quốc'],
  ['UBND', 'Ủy ban nhân dân'],
  ['HĐND', 'Hội đồng nhân dân'],
  ['MTTQ', 'Mặt trận Tổ quốc'],
  ['TTHC', 'thủ tục hành chính'],
  ['BHYT', 'bảo hiểm y tế'],
  ['BHXH', 'bảo hiểm xã hội'],
  ['BHTN', 'bảo hiểm thất nghiệp'],
  ['CCCD', 'căn cước công dân'],
  ['CMND', 'chứng minh nhân dân'],
  ['PCCC', 'phòng cháy chữa cháy'],
  ['PCTT', 'phòng chống thiên tai'],
  ['TKCN', 'tìm kiếm cứu nạn'],
  ['ATGT', 'an toàn giao thông'],
  ['ATTP', 'an toàn thực phẩm'],
  ['THCS', 'trung học cơ sở'],
  ['THPT', 'trung học phổ thông'],
  ['GPMB', 'giải phóng mặt bằng'],
  ['QSDĐ', 'quyền sử dụng đất'],
  ['HTX', 'hợp tác xã'],
  ['BCH', 'Ban chỉ huy'],
  ['BCĐ', 'Ban chỉ đạo'],
  ['NĐ-CP', 'Nghị định Chính phủ'],
  ['QĐ-UBND', 'Quyết định Ủy ban nhân dân'],
  ['TB-UBND', 'Thông báo Ủy ban nhân dân'],
  ['QĐ', 'quyết định'],
  ['TT', 'thông tư'],
  ['SĐT', 'số điện thoại'],
  ['ĐT', 'điện thoại'],
  ['CSGT', 'cảnh sát giao thông'],
  ['CAX', 'Công an xã'],
  ['KP', 'khu phố'],
  ['TDP', 'tổ dân phố'],
  ['Đ/c', 'đồng chí'],
  ['đ/c', 'đồng chí'],
  ['TP.', 'thành phố'],
  ['TP', 'thành phố'],
  ['CN', 'chủ nhật'],
  ['VNĐ', 'đồng'],
  ['VND', 'đồng'],
];

const UNITS: [RegExp, string][] = [
  [/^(?:m2|m²)$/, 'mét vuông'],
  [/^(?:m3|m³)$/, 'mét khối'],
  [/^km\/h$/, 'ki lô mét một giờ'],
  [/^km$/, 'ki lô mét'],
  [/^mm$/, 'mi li mét'],
  [/^cm$/, 'xăng ti mét'],
  [/^m$/, 'mét'],
  [/^kg$/, 'ki lô gam'],
  [/^ha$/, 'héc ta'],
  [/^%$/, 'phần trăm'],
  [/^°C$/, 'độ C'],
  [/^(?:đ|đồng|VNĐ|VND)$/, 'đồng'],
];
const UNIT_PATTERN = '(m²|m³|m2|m3|km\\/h|km|mm|cm|kg|ha|m|%|°C|đồng|đ|VNĐ|VND)';

const L = '\\p{L}';
const wordBoundary = (s: string) => new RegExp(`(?<![${L}\\d])${s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![${L}\\d])`, 'gu');

/** A number as written in Vietnamese: 1.500.000 (dots group thousands), 3,5 (comma for decimals). */
function readWritten(n: string): string {
  if (/^\d{1,3}(?:\.\d{3})+$/.test(n)) return readNumber(n.replace(/\./g, ''));
  const dec = /^(\d+)[,.](\d+)$/.exec(n);
  if (dec) return readDecimal(dec[1], dec[2]);
  // Leading zeros on a longer number are a code (số 0123): read digit by digit.
  if (/^0\d{2,}$/.test(n)) return readDigits(n);
  return readNumber(n);
}
const NUM = '\\d{1,3}(?:\\.\\d{3})+(?:,\\d+)?|\\d+(?:[,.]\\d+)?';

const validDate = (d: number, m: number) => d >= 1 && d <= 31 && m >= 1 && m <= 12;

function readTime(h: string, m?: string): string {
  const hour = `${readNumber(h)} giờ`;
  return m && Number(m) > 0 ? `${hour} ${readNumber(m)} phút` : hour;
}

/** Text as it should be spoken. Idempotent on text that has no digits or abbreviations left. */
export function normalizeVietnamese(input: string): string {
  let s = input.normalize('NFC').replace(/\s+/g, ' ').trim();

  // Document numbers: 59/2024/NĐ-CP → số năm mươi chín năm hai nghìn không trăm hai mươi tư của Chính phủ.
  s = s.replace(/(?<![\d/])(\d{1,4})\/(\d{4})\/([\p{Lu}Đ]+(?:-[\p{Lu}Đ]+)*)(?![\p{L}\d])/gu, (_m, n, y, kind: string) => {
    const issuer = kind.endsWith('-CP') ? ' của Chính phủ' : kind.endsWith('-UBND') ? ' của Ủy ban nhân dân' : '';
    return `số ${readNumber(n)} năm ${readNumber(y)}${issuer}`;
  });
  for (const [abbr, full] of ABBREVIATIONS) s = s.replace(wordBoundary(abbr), full);

  // Phone numbers: 10–11 digits starting 0 (or +84), in groups; hotlines 1800/1900; emergency 111–116 after "gọi"/"số".
  s = s.replace(/(?<![\d])(?:\+84[\s.-]?|0)\d{2,3}(?:[\s.-]?\d{2,4}){2,3}(?![\d])/g, (m) => {
    const domestic = m.replace(/^\+84[\s.-]?/, '0');
    if (domestic.replace(/\D/g, '').length < 10 || domestic.replace(/\D/g, '').length > 11) return m;
    const groups = domestic.split(/[\s.-]/).filter(Boolean);
    return (groups.length > 1 ? groups : [domestic.slice(0, 4), domestic.slice(4, 7), domestic.slice(7)]).map(readDigits).join(', ');
  });
  s = s.replace(/(?<!\d)(1800|1900)[\s.]?(\d{3,6})(?!\d)/g, (_m, a, b) => `${readDigits(a)} ${readDigits(b)}`);
  s = s.replace(/((?:gọi|số|đường dây nóng|hotline)\s+)(11[1-6])(?!\d)/giu, (_m, pre, n) => `${pre}${readDigits(n)}`);

  // Dates: 24/7/2024, 24-07-2024, 24.7.2024; 24/7; 7/2024.
  const date = (pre: string | undefined, d: string, m: string, y?: string) => {
    const words = `${pre ? '' : 'ngày '}${readDay(Number(d))} tháng ${readMonth(Number(m))}${y ? ` năm ${readNumber(y)}` : ''}`;
    return `${pre ?? ''}${words}`;
  };
  s = s.replace(/(ngày\s+)?(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\3(\d{4})(?![\d/])/giu, (m, pre, d, _sep, mo, y) =>
    validDate(Number(d), Number(mo)) ? date(pre, d, mo, y) : m);
  s = s.replace(/(tháng\s+)?(?<![\d/.,-])(\d{1,2})\/(\d{4})(?![\d/])/giu, (m, pre, mo, y) =>
    (Number(mo) >= 1 && Number(mo) <= 12 ? `${pre ?? 'tháng '}${readMonth(Number(mo))} năm ${readNumber(y)}` : m));
  s = s.replace(/(ngày\s+)?(?<![\d/.,-])(\d{1,2})\/(\d{1,2})(?![\d/])/giu, (m, pre, d, mo) => (validDate(Number(d), Number(mo)) ? date(pre, d, mo) : m));
  s = s.replace(/(tháng\s+)(\d{1,2})(?![\d/.,])/giu, (m, pre, mo) => (Number(mo) >= 1 && Number(mo) <= 12 ? `${pre}${readMonth(Number(mo))}` : m));

  // Times: 7h30, 7g30, 07:30, 7h, 14h15'.
  s = s.replace(/(?<![\d:])([01]?\d|2[0-3])\s?[hg]\s?([0-5]\d)?'?(?![\p{L}\d])/gu, (_m, h, m) => readTime(h, m));
  s = s.replace(/(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])/g, (_m, h, m) => readTime(h, m));

  // Weekdays and ordinals: thứ 2 → thứ hai, thứ 4 → thứ tư, lần thứ 1 → lần thứ nhất.
  s = s.replace(/(thứ\s+)([1-7])(?!\d)/giu, (_m, pre, n) => `${pre}${n === '1' ? 'nhất' : WEEKDAYS[n]}`);

  // Ranges between numbers (100-200mm, cấp 10–11), numbers with a unit, then every other number.
  const unit = `(?:\\s?${UNIT_PATTERN}(?![\\p{L}\\d²³]))?`;
  const unitWord = (u?: string) => (u ? ` ${UNITS.find(([re]) => re.test(u))![1]}` : '');
  s = s.replace(new RegExp(`(?<![\\p{L}\\d/])(${NUM})\\s?[-–]\\s?(${NUM})${unit}`, 'gu'), (_m, a, b, u) =>
    `${readWritten(a)} đến ${readWritten(b)}${unitWord(u)}`);
  s = s.replace(/(giờ|phút)\s?[-–]\s?/g, '$1 đến ');
  s = s.replace(new RegExp(`(?<![\\p{L}\\d])(${NUM})${unit}`, 'gu'), (_m, n, u) => `${readWritten(n)}${unitWord(u)}`);

  s = s.replace(/\s*&\s*/g, ' và ').replace(/\s+([,.;:!?])/g, '$1').replace(/\s+/g, ' ').trim();
  return s;
}
