// A persistent pool of worker threads that splits one kernel call into parts, the calling thread
// taking parts too. Workers spin for up to 50 ms after a call (a training step's next kernel
// follows within microseconds, and an idle vCPU of our VMs takes ~2 ms to wake), then sleep on a
// condition variable, so an idle process costs no CPU. run() returns when every part is done: a
// kernel's outputs are complete when it returns to JavaScript. A worker that the OS has not
// scheduled in time (the other core busy with V8's own threads, say) is not waited for: the
// caller takes the parts nobody has claimed.
// The split of work into parts is the caller's (see vae_native.cc): a part's results do not
// depend on which thread ran it, nor, since the cut does not change with it, on the thread count.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace vae {

class ThreadPool {
 public:
  ~ThreadPool() { resize(1); }

  /** Threads in all, the caller included (>= 1). */
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  /** Stops the workers and starts n - 1 new ones. Not to be called while run() is running. */
  void resize(int n) {
    if (n < 1) n = 1;
    if (n == size()) return;
    stop_ = true;
    publish(0);
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    for (int i = 1; i < n; i++) workers_.emplace_back([this, g = generation()] { loop(g); });
  }

  /** Calls f(part) for each part in [0, parts) once, each part taken by whichever thread asks first. */
  template <class F>
  void run(int parts, F&& f) {
    if (parts <= 1 || workers_.empty() || parts > kMaxParts) {
      for (int p = 0; p < parts; p++) f(p);
      return;
    }
    task_ = &trampoline<F>;
    context_ = &f;
    done_.store(0, std::memory_order_relaxed);
    const uint32_t gen = publish(parts);
    int p;
    while (claim(gen, &p)) {
      f(p);
      done_.fetch_add(1, std::memory_order_release);
    }
    while (done_.load(std::memory_order_acquire) != parts) pause();
  }

 private:
  // claim_ holds a call's generation (high 32 bits), its number of parts (16 bits) and the next
  // part to hand out (low 16 bits): a claim made with a stale generation fails, so a worker that
  // wakes late never takes, or reads the task of, a call that is over.
  static constexpr int kMaxParts = 0xffff;

  uint32_t generation() const { return static_cast<uint32_t>(claim_.load(std::memory_order_acquire) >> 32); }

  /** Starts a new call of `parts` parts (0: stop_ is to be read) and wakes the workers; returns its generation. */
  uint32_t publish(int parts) {
    const uint32_t gen = generation() + 1;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      claim_.store((uint64_t(gen) << 32) | (uint64_t(parts) << 16), std::memory_order_release);
    }
    wake_.notify_all();
    return gen;
  }

  /** Takes the next part of call `gen` into *part; false when the call has none left or is over. */
  bool claim(uint32_t gen, int* part) {
    uint64_t w = claim_.load(std::memory_order_acquire);
    for (;;) {
      const uint32_t next = w & 0xffff, parts = (w >> 16) & 0xffff;
      if ((w >> 32) != gen || next >= parts) return false;
      if (claim_.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        *part = static_cast<int>(next);
        return true;
      }
    }
  }

  template <class F>
  static void trampoline(void* context, int part) {
    (*static_cast<F*>(context))(part);
  }

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  void loop(uint32_t seen) {
    for (;;) {
      // Spin (without PAUSE, which hypervisors may answer by descheduling the vCPU) for the next
      // call, then sleep until one comes.
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicroseconds);
      uint32_t now = generation();
      for (int spins = 0; now == seen; spins++) {
        now = generation();
        if ((spins & 1023) == 1023 && std::chrono::steady_clock::now() > until) break;
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation() != seen; });
        now = generation();
      }
      seen = now;
      if (stop_) return;
      int p;
      while (claim(seen, &p)) {
        task_(context_, p);
        done_.fetch_add(1, std::memory_order_release);
      }
    }
  }

  static constexpr int kSpinMicroseconds = 50000;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};
  void (*task_)(void*, int) = nullptr;
  void* context_ = nullptr;
  bool stop_ = false;
};

}  // namespace vae
