/**
 * Every API error the panel can meet, in Vietnamese: one catalogue from error codes to sentences a
 * commune officer can act on. Pure: used by the server's views and by the browser's islands. An
 * unknown code still says what failed, with the server's own sentence as detail.
 */
export interface ApiErrorBody {
  status?: number;
  code: string;
  message?: string;
  details?: unknown;
}

type Details = Record<string, unknown> & { hits?: { zoneName: string; window: string; startAt: string }[] };
const list = (xs: unknown, key: string) => (Array.isArray(xs) ? xs.map((x) => (x as Record<string, string>)[key] ?? String(x)).slice(0, 5).join(', ') : '');

const CATALOGUE: Record<string, string | ((d: Details) => string)> = {
  unauthenticated: 'Phiên đăng nhập đã hết. Hãy đăng nhập lại.',
  bad_credentials: 'Sai tên đăng nhập hoặc mật khẩu.',
  account_disabled: 'Tài khoản này đã bị khoá. Hãy liên hệ quản trị viên.',
  too_many_attempts: 'Đăng nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút.',
  login_busy: 'Máy chủ đang bận xử lý nhiều lần đăng nhập; thử lại sau vài giây.',
  forbidden: 'Vai trò của bạn không được làm việc này.',
  cross_site_request: 'Yêu cầu đến từ trang khác nên bị từ chối. Hãy thao tác ngay trên bảng điều khiển.',
  not_found: 'Không tìm thấy: có thể ai đó vừa xoá mục này. Hãy tải lại trang.',
  invalid_request: 'Thông tin chưa hợp lệ; hãy xem lại các ô được đánh dấu.',
  malformed_json: 'Yêu cầu bị hỏng trên đường truyền; hãy thử lại.',
  bad_request: 'Yêu cầu không hợp lệ; hãy thử lại.',
  body_too_large: 'Nội dung gửi lên quá lớn.',
  database_busy: 'Cơ sở dữ liệu đang bận; chưa có gì thay đổi. Thử lại sau giây lát.',
  database_read_only: 'Máy chủ không ghi được dữ liệu (ổ đĩa chỉ đọc); chưa có gì thay đổi. Báo cho kỹ thuật viên.',
  disk_full: 'Ổ đĩa máy chủ đã đầy; chưa có gì thay đổi. Báo cho kỹ thuật viên để giải phóng dung lượng.',
  internal: 'Máy chủ gặp lỗi và đã ghi lại. Thử lại sau; nếu vẫn lỗi, báo cho kỹ thuật viên.',
  shutting_down: 'Máy chủ đã dừng trước khi xử lý xong; hãy làm lại.',
  // users
  username_taken: 'Tên đăng nhập này đã có người dùng; chọn tên khác.',
  weak_password: 'Mật khẩu quá yếu: cần ít nhất 8 ký tự và không phải mật khẩu phổ biến.',
  last_admin: 'Đây là quản trị viên cuối cùng còn hoạt động: không thể khoá hay đổi vai trò.',
  // hamlets and gateways
  unknown_zone: 'Thôn này không còn tồn tại; hãy tải lại trang và chọn thôn khác.',
  zone_not_empty: (d) => `Thôn còn cụm loa (${list(d.devices, 'id')}). Hãy chuyển hoặc xoá cụm loa trước.`,
  zone_has_schedules: (d) => `Thôn đang có lịch phát: ${list(d.schedules, 'title')}. Hãy sửa các lịch đó trước, hoặc xoá kèm việc bỏ thôn khỏi các lịch.`,
  device_exists: 'Mã cụm loa này đã có; chọn mã khác.',
  invalid_device_id: 'Mã cụm loa chỉ gồm chữ thường không dấu, số và dấu gạch ngang (3–64 ký tự).',
  // content
  too_large: 'Tệp lớn hơn giới hạn cho phép.',
  unsupported_media_type: 'Hãy chọn một tệp âm thanh.',
  bad_multipart: 'Tệp tải lên bị hỏng trên đường truyền; hãy thử lại.',
  file_missing: 'Hãy chọn một tệp âm thanh.',
  not_audio: 'Tệp này không phải âm thanh.',
  no_audio_stream: 'Tệp này không có tiếng (có thể là video không có âm thanh).',
  empty_audio: 'Tệp âm thanh trống hoặc chỉ có khoảng lặng.',
  corrupt_audio: 'Tệp âm thanh bị hỏng hoặc chưa tải hết; hãy xuất lại tệp rồi tải lên.',
  too_long: 'Bản âm thanh dài quá giới hạn cho phép.',
  transcode_failed: 'Không chuyển đổi được tệp âm thanh này; hãy thử định dạng khác (mp3, wav).',
  tts_failed: 'Dịch vụ đọc văn bản không trả lời; thử lại sau.',
  template_incomplete: (d) => `Mẫu còn thiếu: ${list(d.missing, 'label')}.`,
  invalid_state: 'Chương trình đã được xử lý bởi người khác; trang đã được cập nhật.',
  version_changed: (d) => `Đã có phiên bản mới hơn (phiên bản ${d.latestVersion ?? '?'}); hãy nghe phiên bản đó trước khi quyết định.`,
  program_not_approved: 'Chương trình chưa được duyệt nên chưa thể phát hay lập lịch.',
  unknown_program: 'Chương trình này không còn tồn tại.',
  program_in_use: (d) => `Chương trình đang có trong lịch phát: ${list(d.schedules, 'id')}. Hãy xoá các lịch đó hoặc lưu trữ chương trình.`,
  program_has_history: 'Chương trình đã từng được phát nên được giữ lại trong hồ sơ; hãy lưu trữ thay vì xoá.',
  // schedules
  invalid_rule: 'Quy tắc lặp lại chưa hợp lệ; hãy xem lại ngày giờ.',
  never_plays: 'Lịch này sẽ không phát lần nào (ngày hết hạn, ngày lễ bị bỏ qua hoặc quy tắc loại trừ hết). Hãy xem lại.',
  in_the_past: 'Thời điểm này đã qua; chọn một thời điểm trong tương lai.',
  quiet_hours: (d) => {
    const h = d.hits?.[0];
    return h ? `${h.zoneName} đang trong giờ yên tĩnh ${h.window}: chỉ tin khẩn cấp được phát lúc đó.` : 'Lịch rơi vào giờ yên tĩnh của thôn: chỉ tin khẩn cấp được phát lúc đó.';
  },
  conflict: 'Lịch trùng giờ với một chương trình khác trên cùng thôn.',
  too_many_plays: (d) => `Lịch phát ${d.playsPerDay ?? 'quá nhiều'} lần một ngày; tối đa ${d.limit ?? 48} lần.`,
  manifest_too_large: (d) => `${d.zoneName ?? 'Thôn'} sẽ có quá nhiều lượt phát trong ${'items' in d ? 'thời gian tới' : ''}; hãy phát thưa hơn.`,
  invalid_range: 'Khoảng thời gian không hợp lệ.',
  range_too_long: 'Chỉ xem được tối đa một năm một lần.',
  not_repeating: 'Lịch phát một lần không có lượt nào để bỏ riêng; hãy xoá lịch.',
  not_an_occurrence: 'Lịch này không phát vào thời điểm đó (có thể đã được sửa). Hãy tải lại lịch.',
  // broadcasts
  two_person_rule: 'Cần một lãnh đạo khác xác nhận.',
  text_too_long: 'Văn bản quá dài để đọc trong một lần; hãy rút gọn.',
  not_waiting: 'Cảnh báo này đã được xử lý.',
  program_archived: 'Chương trình đã được lưu trữ.',
  unknown_recording: 'Bản ghi âm không còn trên máy chủ; hãy ghi lại.',
  expired: 'Đã hết hạn.',
  already_expired: 'Đã hết hạn.',
  not_active: 'Không còn hiệu lực.',
  not_awaiting_confirmation: 'Không còn chờ xác nhận.',
};

/** The API's error from an answer's status and body (`{error: {...}}`); a body that is not one (no answer, a proxy's page) leaves the status alone to speak. */
export function errorOfAnswer(status: number, body: string): ApiErrorBody {
  try {
    return { code: 'http_error', status, ...JSON.parse(body).error };
  } catch {
    return { code: 'http_error', status };
  }
}

/** The sentence for an API error, in Vietnamese. */
export function explain(e: ApiErrorBody): string {
  const entry = CATALOGUE[e.code];
  if (typeof entry === 'function') return entry((e.details ?? {}) as Details);
  if (entry) return entry;
  if (e.status === 0) return 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.';
  return `Không thực hiện được (mã lỗi ${e.code}${e.status ? `, ${e.status}` : ''}).${e.message ? ` Chi tiết: ${e.message}` : ''}`;
}

export const isKnownCode = (code: string) => code in CATALOGUE;

/** For forms: which field each invalid_request path belongs to, and what to say there. */
export type FieldMessages = Record<string, string>;

/** Errors keyed by form field (`_` for the form as a whole), from an API error and the form's own sentences. */
export function fieldErrors(e: ApiErrorBody, fields: FieldMessages = {}, fieldOfCode: Record<string, string> = {}): Record<string, string> {
  if (e.code === 'invalid_request' && Array.isArray(e.details)) {
    const out: Record<string, string> = {};
    for (const d of e.details as { path: string; message: string }[]) {
      const key = Object.keys(fields).find((f) => d.path === f || d.path.startsWith(`${f}.`));
      if (key) out[key] ??= fields[key];
      else out._ ??= explain(e);
    }
    return out;
  }
  const field = fieldOfCode[e.code];
  return { [field ?? '_']: explain(e) };
}
