import { describe, expect, it } from 'vitest';
import { isVietnamese, pickSpeech } from '../../server/broadcasts/cap/speech.js';
import { alertOf, fixture } from './helpers.js';

describe('what the loudspeakers say for an alert', () => {
  it('[CAP 1.2 §3.2.2] speaks the vi-VN info of a bilingual flood warning, not the en-US one', () => {
    const s = pickSpeech(alertOf('flood-alert.xml'))!;
    expect(s.language).toBe('vi-VN');
    expect(s.info.event).toBe('Lũ trên sông Hồng');
    expect(s.text).not.toMatch(/Red River/);
  });

  it('[CAP 1.2 §3.2.2] reads headline, description and instruction as sentences, one line of the description each', () => {
    expect(pickSpeech(alertOf('flood-alert.xml'))!.text).toBe(
      'Cảnh báo lũ trên sông Hồng tại Hà Nội. '
      + 'Hồi 07 giờ ngày 10/10, mực nước sông Hồng tại trạm Hà Nội là 9,65 m, trên báo động I là 0,15 m. '
      + 'Dự báo đến 19 giờ ngày 10/10, mực nước tiếp tục lên, có khả năng đạt 10,2 m, trên báo động II là 0,2 m. '
      + 'Người dân vùng bãi ven sông chủ động di chuyển người và tài sản đến nơi an toàn; không đi lại, đánh bắt cá trên sông.',
    );
  });

  it.each(['vi', 'VI', 'vi-VN', 'vi-vn', 'VI-VN'])('[RFC 3066] takes language "%s" as Vietnamese, whatever its case', (tag) => {
    expect(isVietnamese(tag)).toBe(true);
  });

  it.each(['en-US', 'vie', 'fr-VN', 'zh'])('does not take "%s" as Vietnamese', (tag) => {
    expect(isVietnamese(tag)).toBe(false);
  });

  it('[CAP 1.2 §3.2.2] picks the Vietnamese info even when it is not the first', () => {
    const xml = fixture('flood-alert.xml').replace('<language>vi-VN</language>', '<language>vi</language>');
    const swapped = xml.replace(/(<info>[\s\S]*?<\/info>)(\s*)(<info>[\s\S]*?<\/info>)/, '$3$2$1');
    expect(alertOf(swapped).info[0].language).toBe('en-US');
    expect(pickSpeech(alertOf(swapped))!.language).toBe('vi');
  });

  it('says the event when there is no headline, and adds nothing that is absent', () => {
    expect(pickSpeech(alertOf('polygon-alert.xml'))!.text)
      .toBe('Cảnh báo mưa rất lớn, ngập úng cục bộ. Không đi qua các tuyến đường ngập sâu.');
    const bare = fixture('polygon-alert.xml').replace(/<cap:headline>.*<\/cap:headline>/, '').replace(/<cap:instruction>.*<\/cap:instruction>/, '');
    expect(pickSpeech(alertOf(bare))!.text).toBe('Mưa lớn, ngập úng.');
  });

  it('answers null when no info is in Vietnamese', () => {
    const english = fixture('flood-alert.xml').replace('<language>vi-VN</language>', '<language>en-GB</language>');
    expect(pickSpeech(alertOf(english))).toBeNull();
    expect(pickSpeech(alertOf('flood-cancel.xml'))).toBeNull();
  });
});
