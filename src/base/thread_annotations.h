// Thread-safety annotations: which mutex guards which member, and which functions
// expect a mutex held (or not held), written so that clang's -Wthread-safety can check
// them at compile time. hack/lint.sh (check "threads") runs that analysis with
// clang-14 over every translation unit that uses these; g++, the compiler of every
// build, sees nothing (each macro expands to nothing there).
//
//   class Counter {
//    public:
//     void Add() EXCLUDES(mu_) { MutexLock lock(mu_); AddLocked(); }
//    private:
//     void AddLocked() REQUIRES(mu_) { ++count_; }
//     Mutex mu_;                 // base/mutex.h: std::mutex with the annotations
//     int count_ GUARDED_BY(mu_) = 0;
//   };
//
// The analysis only knows a mutex whose type is annotated as a capability, which
// libstdc++'s std::mutex is not: guard members with base/mutex.h's Mutex or
// SharedMutex. It checks one function at a time: a lambda is a function of its own,
// so one that reads guarded members under its caller's lock (a condition variable's
// predicate) says so with REQUIRES after its parameter list.
//
// The attribute names and meanings are clang's:
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
#pragma once

#if defined(__clang__)
#define CERTPLANE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CERTPLANE_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are locks (a mutex); the name appears in the warnings.
#define CAPABILITY(name) CERTPLANE_THREAD_ANNOTATION(capability(name))
// On a class: an RAII guard that holds the capabilities its constructor acquires until
// it is destroyed.
#define SCOPED_CAPABILITY CERTPLANE_THREAD_ANNOTATION(scoped_lockable)

// On a member or global: reading it needs the mutex held (shared or exclusive),
// writing it needs it held exclusively.
#define GUARDED_BY(mu) CERTPLANE_THREAD_ANNOTATION(guarded_by(mu))
// On a pointer (or smart pointer): the object it points to is guarded by the mutex;
// the pointer itself is not.
#define PT_GUARDED_BY(mu) CERTPLANE_THREAD_ANNOTATION(pt_guarded_by(mu))

// On a mutex member: the lock order. A thread holding both takes the named mutexes
// first (ACQUIRED_AFTER) or last (ACQUIRED_BEFORE). Checked by -Wthread-safety-beta.
#define ACQUIRED_AFTER(...) CERTPLANE_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) CERTPLANE_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))

// On a function: the caller must hold the mutexes, exclusively or at least shared.
#define REQUIRES(...) CERTPLANE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) CERTPLANE_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// On a function: the caller must not hold the mutexes (the function takes them itself,
// or blocks, and would deadlock).
#define EXCLUDES(...) CERTPLANE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: it takes or releases the mutexes (none named: `this` one).
#define ACQUIRE(...) CERTPLANE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) CERTPLANE_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) CERTPLANE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) CERTPLANE_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// On a function that tries to take the mutex: the value it returns on success first.
#define TRY_ACQUIRE(...) CERTPLANE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// On a function: returns with the mutex known to be held (checked at run time, if at all).
#define ASSERT_CAPABILITY(mu) CERTPLANE_THREAD_ANNOTATION(assert_capability(mu))
// On a function: returns a reference to the mutex named.
#define RETURN_CAPABILITY(mu) CERTPLANE_THREAD_ANNOTATION(lock_returned(mu))

// On a function: not analysed. For code the analysis cannot follow (a lock taken in
// one function and released in another); say why next to each use.
#define NO_THREAD_SAFETY_ANALYSIS CERTPLANE_THREAD_ANNOTATION(no_thread_safety_analysis)
