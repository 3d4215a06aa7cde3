// Mutex and SharedMutex: std::mutex and std::shared_mutex with the annotations clang's
// thread-safety analysis reads (base/thread_annotations.h), and their scoped locks.
//
// They exist because libstdc++'s mutexes carry no annotations (libc++'s do, but the
// build uses libstdc++), and the analysis checks GUARDED_BY only against a mutex whose
// type is annotated. They add nothing at run time: each call is the std one.
//
//   mutable Mutex mu_;
//   std::deque<std::string> queue_ GUARDED_BY(mu_);
//   std::condition_variable cv_;
//
//   void Push(std::string s) { MutexLock lock(mu_); queue_.push_back(std::move(s)); cv_.notify_one(); }
//   std::string Pop() {
//     MutexLock lock(mu_);
//     cv_.wait(lock.native(), [this]() REQUIRES(mu_) { return !queue_.empty(); });
//     ...
//   }
//
// A std::condition_variable waits on MutexLock::native(), the std::unique_lock the
// guard holds. The wait releases and retakes the mutex; the analysis sees it held
// throughout, which is what every line of the caller around the wait observes.
#pragma once

#include <mutex>
#include <shared_mutex>

#include "base/thread_annotations.h"

namespace certplane {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() RELEASE() {}  // NOLINT(modernize-use-equals-default): user-provided, to carry RELEASE()
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // For std::condition_variable's waits (and kube::Clock::WaitUntil), which take the
  // std::unique_lock itself. Only a wait may unlock it, and it locks it again.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

// A reader-writer mutex: many readers at once, or one writer.
class CAPABILITY("shared mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void ReaderLock() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void ReaderUnlock() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a SharedMutex exclusively for its scope.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterMutexLock() RELEASE() { mu_.Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Holds a SharedMutex shared for its scope.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.ReaderLock(); }
  ~ReaderMutexLock() RELEASE() { mu_.ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace certplane
