import type { Category } from '../domain/categories.js';

export interface TemplateField {
  name: string;
  label: string;
  example: string;
  required: boolean;
}

export interface Template {
  id: string;
  title: string;
  category: Category;
  fields: TemplateField[];
  /** The announcement as written; numbers, dates and abbreviations are left for normalisation. */
  text: string;
}

const f = (name: string, label: string, example: string, required = true): TemplateField => ({ name, label, example, required });

/**
 * What officers announce most: the chair's New Year and holiday greetings, administrative procedures
 * and the citizen-reception schedule. `{field}` is a blank; `[...{field}...]` is left out when the field is empty.
 */
export const TEMPLATES: Template[] = [
  {
    id: 'tet-greeting',
    title: 'Thư chúc Tết của Chủ tịch UBND xã',
    category: 'greeting',
    fields: [
      f('commune', 'Tên xã', 'xã Hòa Bình'),
      f('chair', 'Chủ tịch UBND xã', 'Nguyễn Văn An'),
      f('lunarYear', 'Năm âm lịch', 'Bính Ngọ'),
      f('wish', 'Lời chúc thêm', 'Chúc các cháu học sinh chăm ngoan, học giỏi.', false),
    ],
    text: 'Kính thưa toàn thể bà con nhân dân {commune}! Nhân dịp đón Xuân {lunarYear}, thay mặt Đảng ủy, HĐND, UBND, UBMTTQ {commune}, '
      + 'tôi, {chair}, Chủ tịch UBND xã, xin gửi tới bà con lời chúc mừng năm mới sức khỏe, hạnh phúc và thành công. '
      + '[{wish} ]Chúc bà con đón Tết vui tươi, an toàn, tiết kiệm!',
  },
  {
    id: 'holiday-greeting',
    title: 'Lời chúc mừng ngày lễ của Chủ tịch UBND xã',
    category: 'greeting',
    fields: [
      f('commune', 'Tên xã', 'xã Hòa Bình'),
      f('chair', 'Chủ tịch UBND xã', 'Nguyễn Văn An'),
      f('holiday', 'Ngày lễ', 'Quốc khánh nước CHXHCN Việt Nam 2/9'),
      f('anniversary', 'Kỷ niệm lần thứ', '81', false),
    ],
    text: 'Kính thưa bà con nhân dân {commune}! Nhân dịp kỷ niệm [{anniversary} năm ]{holiday}, thay mặt UBND xã, tôi, {chair}, '
      + 'xin gửi tới toàn thể bà con lời chúc mừng tốt đẹp nhất. Đề nghị các hộ gia đình treo cờ Tổ quốc, cùng giữ gìn an ninh trật tự, vệ sinh môi trường.',
  },
  {
    id: 'procedure',
    title: 'Thông báo thủ tục hành chính',
    category: 'procedure',
    fields: [
      f('procedure', 'Thủ tục', 'đăng ký khai sinh'),
      f('documents', 'Giấy tờ cần mang', 'tờ khai theo mẫu, giấy chứng sinh, CCCD của cha hoặc mẹ'),
      f('place', 'Nơi nộp', 'Bộ phận một cửa UBND xã'),
      f('hours', 'Giờ làm việc', 'sáng từ 7h30 đến 11h30, chiều từ 13h30 đến 17h, thứ 2 đến thứ 6'),
      f('fee', 'Lệ phí', 'miễn lệ phí', false),
      f('phone', 'Số điện thoại liên hệ', '0912 345 678', false),
    ],
    text: 'UBND xã thông báo về TTHC {procedure}. Hồ sơ gồm: {documents}. Nơi nộp hồ sơ: {place}. Thời gian tiếp nhận: {hours}. '
      + '[Lệ phí: {fee}. ][Mọi thắc mắc xin liên hệ số điện thoại {phone}. ]Đề nghị bà con chuẩn bị đầy đủ giấy tờ khi đến làm thủ tục.',
  },
  {
    id: 'citizen-reception',
    title: 'Lịch tiếp công dân',
    category: 'procedure',
    fields: [
      f('who', 'Người tiếp', 'đồng chí Chủ tịch UBND xã'),
      f('date', 'Ngày', '15/12/2026'),
      f('time', 'Giờ', 'từ 7h30 đến 11h'),
      f('place', 'Địa điểm', 'Phòng tiếp công dân, trụ sở UBND xã'),
      f('note', 'Ghi chú', 'Bà con mang theo CCCD và giấy tờ liên quan.', false),
    ],
    text: 'UBND xã thông báo lịch tiếp công dân định kỳ: {who} tiếp công dân vào ngày {date}, {time}, tại {place}. [{note} ]'
      + 'Bà con có kiến nghị, phản ánh xin đến đúng giờ để được tiếp và giải quyết.',
  },
];

export class TemplateError extends Error {
  constructor(message: string, readonly missing: string[] = []) {
    super(message);
  }
}

/** Fills the blanks; a missing required field is an error, an empty optional one drops its bracketed part. */
export function fillTemplate(id: string, values: Record<string, string | undefined>): { template: Template; text: string } {
  const template = TEMPLATES.find((t) => t.id === id);
  if (!template) throw new TemplateError(`No template ${id}; there are ${TEMPLATES.map((t) => t.id).join(', ')}`);
  const value = (name: string) => (values[name] ?? '').trim();
  const missing = template.fields.filter((x) => x.required && !value(x.name)).map((x) => x.name);
  if (missing.length) throw new TemplateError(`Fill in ${missing.join(', ')}`, missing);
  const text = template.text
    .replace(/\[([^\]]*)\]/g, (_m, part: string) => {
      const names = [...part.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      return names.every((n) => value(n)) ? part : '';
    })
    .replace(/\{(\w+)\}/g, (_m, name: string) => value(name));
  return { template, text };
}
