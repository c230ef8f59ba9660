// Preloaded (`node --import`) into every service the launcher starts, over an IPC channel: when
// the launcher is gone, even SIGKILLed, the channel closes and the service stops itself (SIGTERM,
// so it drains) instead of running on as an orphan. A service already stopping is left alone.
let stopping = false;

if (process.channel) {
  process.channel.unref();
  process.once('SIGTERM', () => {
    stopping = true;
    // Alone, this listener would swallow the signal: keep SIGTERM's default (exit) then.
    if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
  });
  process.once('disconnect', () => {
    if (!stopping) process.kill(process.pid, 'SIGTERM');
  });
}
