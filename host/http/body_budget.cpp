#include "http/body_budget.hpp"

namespace hookhost::http {

BodyBudget::Reservation::~Reservation() {
  if (budget_) budget_->release(bytes_);
}

std::optional<BodyBudget::Reservation> BodyBudget::reserve(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes > total_ - inUse_) return std::nullopt;
  inUse_ += bytes;
  return std::optional<Reservation>(std::in_place, *this, bytes);
}

std::size_t BodyBudget::inUse() const {
  std::lock_guard lock(mutex_);
  return inUse_;
}

void BodyBudget::release(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  inUse_ -= bytes;
}

}  // namespace hookhost::http
