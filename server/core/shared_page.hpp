// Memory shared with every process forked after it is mapped: the master's
// scoreboards (activity_slot.hpp, worker/accept_board.hpp). Anonymous and
// MAP_SHARED, so a fork keeps one copy instead of copying on write.
#pragma once

#include <sys/mman.h>

#include <new>

namespace gale {

// A T constructed in a fresh shared mapping, or null when mmap fails.
template <class T>
T* map_shared() {
  void* page = ::mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return page == MAP_FAILED ? nullptr : new (page) T();
}

// Unmaps what map_shared<T>() returned (T must be trivially destructible
// or need no destruction: the other processes may still use it).
template <class T>
void unmap_shared(T* object) {
  if (object) ::munmap(object, sizeof(T));
}

}  // namespace gale
