export interface ListenEntry {
  id: string;
  title: string;
  /** `thứ Hai, 07/12/2026` */
  date: string;
  category: string;
  duration: string;
  audioUrl: string;
  text: string | null;
}

// Its own small stylesheet: the page is public and stands alone (no panel header, no panel script).
// Everything wraps and shrinks, so a 360 px phone never scrolls sideways.
const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"Segoe UI",Roboto,sans-serif;color:#1d2733;background:#f4f6f8;line-height:1.45}
header{background:#b71c1c;color:#fff;padding:.8rem 1rem}
header h1{margin:0;font-size:1.25rem}
header p{margin:.2rem 0 0;font-size:.95rem}
main{max-width:720px;margin:0 auto;padding:.8rem}
article{background:#fff;border-radius:8px;padding:.8rem;margin-bottom:.8rem;box-shadow:0 1px 3px #0002;overflow-wrap:anywhere}
article h2{margin:0 0 .3rem;font-size:1.1rem}
.meta{color:#55606b;font-size:.9rem;margin:0 0 .5rem}
.tag{display:inline-block;background:#fde7e7;color:#8a1111;border-radius:999px;padding:0 .5rem;font-size:.85rem}
audio{display:block;width:100%;max-width:100%}
details{margin-top:.5rem}
details p{white-space:pre-line;margin:.4rem 0 0}
.empty{color:#55606b}
footer{max-width:720px;margin:0 auto;padding:0 .8rem 1.5rem;font-size:.9rem;color:#55606b}
a{color:#b71c1c}
`;

/** "Nghe lại": the broadcasts an officer made public, to listen to again on a phone. */
export function ListenPage({ communeName, entries, feedUrl }: { communeName: string; entries: ListenEntry[]; feedUrl: string }) {
  return (
    <html lang="vi">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Nghe lại · {communeName}</title>
        <link rel="alternate" type="application/rss+xml" title={`Nghe lại · ${communeName}`} href={feedUrl} />
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <header>
          <h1>📢 Nghe lại</h1>
          <p>Các bản tin của {communeName} đã phát trên loa truyền thanh</p>
        </header>
        <main>
          {entries.length === 0 && <p class="empty">Chưa có bản tin nào để nghe lại.</p>}
          {entries.map((e) => (
            <article id={e.id}>
              <h2>{e.title}</h2>
              <p class="meta">{e.date} · <span class="tag">{e.category}</span> · {e.duration}</p>
              <audio controls preload="none" src={e.audioUrl}>
                <a href={e.audioUrl}>Tải tệp MP3</a>
              </audio>
              {e.text && (
                <details>
                  <summary>Nội dung bản tin</summary>
                  <p>{e.text}</p>
                </details>
              )}
            </article>
          ))}
        </main>
        <footer>
          <a href={feedUrl}>Nghe bằng ứng dụng podcast (RSS)</a>
        </footer>
      </body>
    </html>
  );
}
