// The calendar island: FullCalendar (vi locale) showing the plays the server lists for the range it
// asks; the lunar day beside each solar date; a play opens its details, rendered by the server.
import { Calendar, type EventClickArg } from '@fullcalendar/core';
import viLocale from '@fullcalendar/core/locales/vi';
import dayGridPlugin from '@fullcalendar/daygrid';
import listPlugin from '@fullcalendar/list';
import timeGridPlugin from '@fullcalendar/timegrid';
import { lunarCell } from '../format.js';

const el = document.getElementById('calendar');
const zoneSelect = document.getElementById('calendar-zone') as HTMLSelectElement | null;
const dialog = document.getElementById('occurrence') as HTMLDialogElement | null;

if (el) {
  const phone = window.matchMedia('(max-width: 759px)').matches;
  const asked = el.dataset.view;
  const initialView = asked === 'month' ? 'dayGridMonth' : phone ? 'listWeek' : 'timeGridWeek';
  // The calendar runs on the commune's wall clock: events come without an offset and are shown as
  // they are (time zone "UTC" here means "do not convert"); "now" is the commune's now.
  const offsetMs = Number(el.dataset.offset ?? 420) * 60_000;
  const lunar = (d: Date, long = false) => {
    const span = document.createElement('span');
    span.className = 'lunar';
    const cell = lunarCell({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
    span.textContent = long ? `âm lịch ${cell}` : cell;
    span.title = 'Ngày âm lịch';
    return span;
  };
  const text = (t: string) => document.createTextNode(t);

  const calendar = new Calendar(el, {
    plugins: [dayGridPlugin, timeGridPlugin, listPlugin],
    locale: viLocale,
    timeZone: 'UTC',
    now: () => new Date(Date.now() + offsetMs),
    initialView,
    initialDate: el.dataset.date,
    headerToolbar: phone
      ? { left: 'prev,next', center: 'title', right: 'today' }
      : { left: 'prev,next today', center: 'title', right: 'dayGridMonth,timeGridWeek,listWeek' },
    footerToolbar: phone ? { center: 'dayGridMonth,listWeek' } : undefined,
    // Words on the arrows: plainer than icons for someone new to a calendar.
    buttonIcons: false,
    buttonText: { today: 'Hôm nay', month: 'Tháng', week: 'Tuần', list: 'Danh sách', prev: '‹ Trước', next: 'Sau ›' },
    height: 'auto',
    nowIndicator: true,
    // The whole day: a play at 00:30 or 04:45 (an early warning, a night schedule) must show too; the
    // grid used to start at 05:00 and such plays were nowhere on the week view.
    slotMinTime: '00:00:00',
    slotMaxTime: '24:00:00',
    eventTimeFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    slotLabelFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    allDaySlot: false,
    dayCellContent: (arg) => (arg.view.type === 'dayGridMonth' ? { domNodes: [text(arg.dayNumberText), lunar(arg.date)] } : true),
    dayHeaderContent: (arg) => ({ domNodes: [text(arg.text), ...(arg.view.type === 'timeGridWeek' || arg.view.type === 'listWeek' ? [lunar(arg.date, arg.view.type === 'listWeek')] : [])] }),
    // The list's day header says the whole date on the left (the lunar day follows it), nothing on the right.
    views: { listWeek: { listDayFormat: { weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' }, listDaySideFormat: false } },
    events: (info, ok, fail) => {
      const q = new URLSearchParams({ start: info.startStr, end: info.endStr, thon: zoneSelect?.value ?? '' });
      fetch(`/lich/su-kien?${q}`).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`)))).then(ok, fail);
    },
    eventClick: (info: EventClickArg) => {
      info.jsEvent.preventDefault();
      if (!dialog) return;
      const q = new URLSearchParams({ lich: info.event.extendedProps.scheduleId, luc: info.event.extendedProps.at });
      void window.htmx.ajax('get', `/lich/luot?${q}`, { target: '#occurrence-body', swap: 'innerHTML' }).then(() => dialog.showModal());
    },
    eventDidMount: (info) => {
      info.el.setAttribute('data-schedule-id', info.event.extendedProps.scheduleId);
      info.el.setAttribute('data-at', info.event.extendedProps.at);
      info.el.setAttribute('tabindex', '0');
      info.el.setAttribute('role', 'button');
      info.el.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          info.el.click();
        }
      });
    },
    loading: (busy) => el.setAttribute('data-loading', busy ? 'yes' : 'no'),
  });
  calendar.render();
  zoneSelect?.addEventListener('change', () => calendar.refetchEvents());
  document.body.addEventListener('calendar-changed', () => calendar.refetchEvents());
  document.body.addEventListener('live-restored', () => calendar.refetchEvents());
}
