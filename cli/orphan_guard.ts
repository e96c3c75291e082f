// Preloaded (node -r) into every run a pool or a queue worker starts: when the process that
// started the run is gone (a worker killed with SIGKILL, a lost terminal), the run stops as on
// Ctrl-C (its checkpoint saved at the step it reached), so no orphan trains on holding the run
// directory's lock while the queue hands the run to another worker. Ended by force after 60 s.
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGINT');
  setTimeout(() => process.exit(137), 60000).unref();
}, 500);
watch.unref();
