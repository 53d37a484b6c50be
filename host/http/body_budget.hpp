#pragma once

#include <cstddef>
#include <mutex>
#include <optional>

namespace hookhost::http {

/// The bytes of request bodies all requests together may hold at once. A request reserves
/// its body's size before reading it and gives it back when its reply is sent, so N
/// concurrent large bodies cannot take N × the per-request limit. Thread-safe.
class BodyBudget {
 public:
  explicit BodyBudget(std::size_t totalBytes) : total_(totalBytes) {}
  BodyBudget(const BodyBudget&) = delete;
  BodyBudget& operator=(const BodyBudget&) = delete;

  /// Bytes held by one request; returned to the budget at destruction.
  class Reservation {
   public:
    Reservation(BodyBudget& budget, std::size_t bytes) : budget_(&budget), bytes_(bytes) {}
    Reservation(Reservation&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) { other.budget_ = nullptr; }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    Reservation& operator=(Reservation&&) = delete;
    ~Reservation();

   private:
    BodyBudget* budget_;
    std::size_t bytes_;
  };

  /// A reservation of `bytes`, or nothing when the budget has less left.
  std::optional<Reservation> reserve(std::size_t bytes);
  std::size_t inUse() const;
  std::size_t total() const { return total_; }

 private:
  void release(std::size_t bytes);

  const std::size_t total_;
  mutable std::mutex mutex_;
  std::size_t inUse_ = 0;
};

}  // namespace hookhost::http
