import { CATEGORY_LABELS } from '../../server/domain/categories.js';
import { Layout } from './layout.js';


function CategorySelect() {
  return (
    <select name="category">
      {Object.entries(CATEGORY_LABELS).map(([value, label]) => <option value={value}>{label}</option>)}
    </select>
  );
}

/**
 * Content: record in the browser, upload a file, or have text read; then submit, and (for approvers)
 * listen and decide. The list and the job progress are drawn by programs.js from the API and SSE.
 */
export function ProgramsPage({ user, can, maxUploadMb }: { user: { displayName: string | null; username: string; role: string }; can: string[]; maxUploadMb: number }) {
  return (
    <Layout title="Chương trình" user={user} can={can}>
      <h1>Chương trình phát thanh</h1>
      <div id="programs-app" data-can={can.join(' ')} data-max-upload-mb={maxUploadMb}>
        <div class="grid">
          <section class="card" id="record">
            <h2>🎙️ Ghi âm</h2>
            <label>Tiêu đề <input name="title" placeholder="Lời chào của Chủ tịch UBND xã" /></label>
            <label>Loại <CategorySelect /></label>
            <div class="row">
              <button type="button" data-action="record-start">● Bắt đầu ghi</button>
              <button type="button" data-action="record-stop" disabled>■ Dừng</button>
              <span data-field="elapsed">0:00</span>
            </div>
            <audio controls data-field="preview" hidden></audio>
            <button type="button" data-action="record-upload" disabled>Tải bản ghi lên</button>
          </section>
          <section class="card" id="upload">
            <h2>📁 Tải tệp âm thanh</h2>
            <label>Tiêu đề <input name="title" placeholder="Phổ biến Luật Thực hiện dân chủ ở cơ sở" /></label>
            <label>Loại <CategorySelect /></label>
            <label>Tệp (mp3, wav, m4a, ogg, webm, amr, flac; tối đa {maxUploadMb} MB)
              <input type="file" name="file" accept="audio/*,video/webm,.amr,.3gp,.flac" />
            </label>
            <button type="button" data-action="upload">Tải lên</button>
          </section>
          <section class="card" id="tts">
            <h2>🗣️ Đọc văn bản</h2>
            <label>Tiêu đề <input name="title" placeholder="Thông báo lịch tiếp công dân" /></label>
            <label>Loại <CategorySelect /></label>
            <label>Mẫu
              <select name="template"><option value="">— Tự soạn —</option></select>
            </label>
            <div data-field="template-fields"></div>
            <label data-field="free-text">Nội dung <textarea name="text" rows={5} placeholder="UBND xã thông báo…"></textarea></label>
            <div class="row">
              <button type="button" data-action="tts-preview">Xem câu sẽ đọc</button>
              <button type="button" data-action="tts-create">Tạo giọng đọc</button>
            </div>
            <p class="muted" data-field="spoken"></p>
          </section>
        </div>
        <section class="card">
          <h2>Đang xử lý</h2>
          <ul id="jobs" class="jobs"><li class="muted">Không có việc nào.</li></ul>
        </section>
        <section class="card">
          <h2>Danh sách</h2>
          <table>
            <thead>
              <tr><th>Tiêu đề</th><th>Trạng thái</th><th>Nghe</th><th></th></tr>
            </thead>
            <tbody id="programs"></tbody>
          </table>
        </section>
        <p role="alert" class="error" data-field="error"></p>
      </div>
      <script type="module" src="/static/programs.js"></script>
    </Layout>
  );
}
