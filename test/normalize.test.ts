import { describe, expect, it } from 'vitest';
import { normalizeVietnamese, readNumber } from '../server/tts/normalize.js';
import { chunkText } from '../server/tts/provider.js';
import { fillTemplate, TEMPLATES } from '../server/tts/templates.js';

describe('reading numbers the way a Vietnamese announcer does', () => {
  it.each([
    [0, 'không'], [5, 'năm'], [10, 'mười'], [11, 'mười một'], [14, 'mười bốn'], [15, 'mười lăm'], [20, 'hai mươi'],
    [21, 'hai mươi mốt'], [24, 'hai mươi tư'], [25, 'hai mươi lăm'], [55, 'năm mươi lăm'], [100, 'một trăm'],
    [101, 'một trăm linh một'], [105, 'một trăm linh năm'], [110, 'một trăm mười'], [115, 'một trăm mười lăm'],
    [121, 'một trăm hai mươi mốt'], [1000, 'một nghìn'], [1005, 'một nghìn không trăm linh năm'],
    [1500, 'một nghìn năm trăm'], [2005, 'hai nghìn không trăm linh năm'], [2024, 'hai nghìn không trăm hai mươi tư'],
    [2026, 'hai nghìn không trăm hai mươi sáu'], [10_000, 'mười nghìn'], [250_000, 'hai trăm năm mươi nghìn'],
    [1_000_000, 'một triệu'], [1_000_500, 'một triệu năm trăm'], [1_200_000, 'một triệu hai trăm nghìn'],
    [3_000_000_000, 'ba tỷ'], [2_500_000_000, 'hai tỷ năm trăm triệu'],
  ])('%d → "%s"', (n, words) => expect(readNumber(n)).toBe(words));

  it('says "bốn" after "mươi" in a day of the month, as dates are read', () => {
    expect(readNumber(24, { four: 'bốn' })).toBe('hai mươi bốn');
  });
});

describe('normalising Vietnamese text before synthesis', () => {
  it.each([
    // Dates
    ['24/7/2024', 'ngày hai mươi bốn tháng bảy năm hai nghìn không trăm hai mươi tư'],
    ['Họp vào ngày 24/7/2024.', 'Họp vào ngày hai mươi bốn tháng bảy năm hai nghìn không trăm hai mươi tư.'],
    ['01-04-2025', 'ngày một tháng tư năm hai nghìn không trăm hai mươi lăm'],
    ['Quốc khánh 2/9', 'Quốc khánh ngày hai tháng chín'],
    ['tháng 4/2024', 'tháng tư năm hai nghìn không trăm hai mươi tư'],
    ['trong tháng 12', 'trong tháng mười hai'],
    ['từ 15/12/2026', 'từ ngày mười lăm tháng mười hai năm hai nghìn không trăm hai mươi sáu'],
    // Times
    ['7h30', 'bảy giờ ba mươi phút'],
    ['07:30', 'bảy giờ ba mươi phút'],
    ['lúc 14h15', 'lúc mười bốn giờ mười lăm phút'],
    ['từ 7h30 đến 11h', 'từ bảy giờ ba mươi phút đến mười một giờ'],
    ['13h30 - 17h', 'mười ba giờ ba mươi phút đến mười bảy giờ'],
    ['19g tối', 'mười chín giờ tối'],
    // Weekdays, ordinals
    ['thứ 2 đến thứ 6', 'thứ hai đến thứ sáu'],
    ['thứ 4', 'thứ tư'],
    ['lần thứ 1', 'lần thứ nhất'],
    ['sáng CN', 'sáng chủ nhật'],
    // Phone numbers
    ['0912 345 678', 'không chín một hai, ba bốn năm, sáu bảy tám'],
    ['0912345678', 'không chín một hai, ba bốn năm, sáu bảy tám'],
    ['0912.345.678', 'không chín một hai, ba bốn năm, sáu bảy tám'],
    ['+84 912 345 678', 'không chín một hai, ba bốn năm, sáu bảy tám'],
    ['0203 3812 345', 'không hai không ba, ba tám một hai, ba bốn năm'],
    ['gọi 113', 'gọi một một ba'],
    ['Đường dây nóng 1900 1234', 'Đường dây nóng một chín không không một hai ba bốn'],
    // Money, units, decimals, ranges
    ['1.500.000 đồng', 'một triệu năm trăm nghìn đồng'],
    ['50.000đ', 'năm mươi nghìn đồng'],
    ['200.000 VNĐ', 'hai trăm nghìn đồng'],
    ['3,5%', 'ba phẩy năm phần trăm'],
    ['0,25', 'không phẩy hai mươi lăm'],
    ['mưa 100-200mm', 'mưa một trăm đến hai trăm mi li mét'],
    ['gió cấp 10–11', 'gió cấp mười đến mười một'],
    ['200m2 đất', 'hai trăm mét vuông đất'],
    ['cách 5km', 'cách năm ki lô mét'],
    ['nhiệt độ 12°C', 'nhiệt độ mười hai độ C'],
    ['số nhà 0123', 'số nhà không một hai ba'],
    // Abbreviations
    ['UBND xã', 'Ủy ban nhân dân xã'],
    ['HĐND và UBMTTQ', 'Hội đồng nhân dân và Ủy ban Mặt trận Tổ quốc'],
    ['TTHC về BHYT', 'thủ tục hành chính về bảo hiểm y tế'],
    ['MTTQ Việt Nam', 'Mặt trận Tổ quốc Việt Nam'],
    ['mang CCCD và sổ BHXH', 'mang căn cước công dân và sổ bảo hiểm xã hội'],
    ['Đ/c Chủ tịch', 'đồng chí Chủ tịch'],
    ['Ban chỉ huy PCTT và TKCN', 'Ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn'],
    ['Nghị định 59/2024/NĐ-CP', 'Nghị định số năm mươi chín năm hai nghìn không trăm hai mươi tư của Chính phủ'],
    ['Quyết định 12/2025/QĐ-UBND', 'Quyết định số mười hai năm hai nghìn không trăm hai mươi lăm của Ủy ban nhân dân'],
    ['TP.HCM', 'Thành phố Hồ Chí Minh'],
    ['Trường THCS xã', 'Trường trung học cơ sở xã'],
    // Left alone
    ['Xin chào bà con', 'Xin chào bà con'],
    ['UBNDX', 'UBNDX'],
  ])('%s → %s', (text, spoken) => expect(normalizeVietnamese(text)).toBe(spoken));

  it('leaves no digit behind in a real announcement', () => {
    const text = 'UBND xã thông báo: từ 7h30 ngày 15/12/2026, tiêm vắc xin cho trẻ dưới 5 tuổi tại Trạm y tế; liên hệ 0912 345 678.';
    const spoken = normalizeVietnamese(text);
    expect(spoken).not.toMatch(/\d/);
    expect(spoken).toContain('Ủy ban nhân dân xã');
    expect(spoken).toContain('bảy giờ ba mươi phút ngày mười lăm tháng mười hai năm hai nghìn không trăm hai mươi sáu');
    expect(spoken).toContain('không chín một hai, ba bốn năm, sáu bảy tám');
  });

  it('is stable: normalising spoken text again changes nothing', () => {
    const once = normalizeVietnamese('Họp HĐND lúc 8h ngày 20/11, có 1.250 cử tri.');
    expect(normalizeVietnamese(once)).toBe(once);
  });
});

describe('templates an officer fills in', () => {
  it('fill the blanks, drop an empty optional part, and leave nothing in braces', () => {
    const { text } = fillTemplate('procedure', {
      procedure: 'đăng ký khai sinh', documents: 'tờ khai, giấy chứng sinh', place: 'Bộ phận một cửa UBND xã',
      hours: 'sáng từ 7h30 đến 11h30, thứ 2 đến thứ 6', phone: '0912 345 678',
    });
    expect(text).toContain('đăng ký khai sinh');
    expect(text).toContain('0912 345 678');
    expect(text).not.toContain('Lệ phí');
    expect(text).not.toMatch(/[{}[\]]/);
    expect(normalizeVietnamese(text)).not.toMatch(/\d/);
  });

  it('name the missing required fields', () => {
    expect(() => fillTemplate('citizen-reception', { who: 'Chủ tịch UBND xã' })).toThrow(/date, time, place/);
  });

  it.each(TEMPLATES.map((t) => [t.id, t]))('%s speaks with its examples and no digits left', (_id, template) => {
    const values = Object.fromEntries(template.fields.map((f) => [f.name, f.example]));
    const spoken = normalizeVietnamese(fillTemplate(template.id, values).text);
    expect(spoken.length).toBeGreaterThan(80);
    expect(spoken).not.toMatch(/\d|\{|\}/);
  });
});

describe('splitting long text for a speech API with a byte limit', () => {
  it('cuts at sentence ends, never above the limit, and loses nothing', () => {
    const text = Array.from({ length: 60 }, (_, i) => `Câu thông báo số ${i} của Ủy ban nhân dân xã.`).join(' ');
    const parts = chunkText(text, 500);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(500);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text);
  });
});
