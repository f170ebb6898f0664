import { spawn } from 'node:child_process';

/**
 * systemd integration without native modules: when started by a unit with Type=notify (NOTIFY_SOCKET
 * set), say READY once started and, with WatchdogSec (WATCHDOG_USEC set), ping the watchdog at half
 * the period. A hung event loop stops the pings and systemd restarts the agent.
 * The unit needs NotifyAccess=all, since the notification comes from the systemd-notify child.
 */
export function startSystemdNotify(env: NodeJS.ProcessEnv = process.env, log: (msg: string) => void = () => {}) {
  if (!env.NOTIFY_SOCKET) return () => {};
  const notify = (arg: string) =>
    spawn('systemd-notify', [arg], { stdio: 'ignore', env }).on('error', (err) => log(`systemd-notify failed: ${err.message}`));
  notify('--ready');
  const usec = Number(env.WATCHDOG_USEC ?? 0);
  if (!(usec > 0)) return () => {};
  const timer = setInterval(() => notify('WATCHDOG=1'), Math.max(100, usec / 2000));
  timer.unref();
  return () => clearInterval(timer);
}
