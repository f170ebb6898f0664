import type { Action } from '../server/auth/permissions.js';

export interface NavItem {
  href: string;
  label: string;
  /** Shown only to roles the permission table gives this action. */
  action: Action;
  /** Drawn apart (the red emergency entry). */
  tone?: 'danger';
}

/**
 * The panel's sections. Emergency broadcasts (/khan-cap)
 * are pages of their own features; their entries are here so the layout has their place.
 */
export const NAV: NavItem[] = [
  { href: '/duyet', label: 'Chờ duyệt', action: 'programs.decide' },
  { href: '/', label: 'Tổng quan', action: 'devices.view' },
  { href: '/chuong-trinh', label: 'Chương trình', action: 'programs.view' },
  { href: '/lich', label: 'Lịch phát', action: 'schedules.view' },
  { href: '/cum-loa', label: 'Cụm loa', action: 'devices.view' },
  { href: '/thon', label: 'Thôn', action: 'zones.view' },
  { href: '/nguoi-dung', label: 'Người dùng', action: 'users.manage' },
  { href: '/bao-cao', label: 'Báo cáo', action: 'reports.view' },
  { href: '/khan-cap', label: 'Phát khẩn cấp', action: 'broadcasts.prepare', tone: 'danger' },
];
