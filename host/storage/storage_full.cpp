#include "storage/storage_full.hpp"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

namespace hookhost::storage {
namespace {

std::string messageOf(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Poco::Exception& error) {
    return error.displayText();
  } catch (const std::exception& error) {
    return error.what();
  } catch (...) {
    return {};
  }
}

}  // namespace

bool isDiskFullMessage(const std::string& message) {
  // SQLite: "database or disk is full" (SQLITE_FULL). PostgreSQL: SQLSTATE 53100
  // (disk_full), reported as "could not extend file …: No space left on device".
  for (const char* sign : {"database or disk is full", "No space left on device", "53100"}) {
    if (message.find(sign) != std::string::npos) return true;
  }
  return false;
}

std::exception_ptr asStorageFull(std::exception_ptr failure) {
  if (!failure) return failure;
  try {
    std::rethrow_exception(failure);
  } catch (const StorageFull&) {
    return failure;
  } catch (...) {
  }
  std::string message = messageOf(failure);
  if (!isDiskFullMessage(message)) return failure;
  return std::make_exception_ptr(StorageFull("the store's disk is full: " + message));
}

bool DiskFullWatch::failed(const std::exception_ptr& failure) {
  if (!failure) return false;
  try {
    std::rethrow_exception(failure);
  } catch (const StorageFull& error) {
    if (!full_.exchange(true)) {
      Poco::Logger::get("hookhost.storage").error("disk full: writes fail until space is freed (%s)",
                                                  std::string(error.what()));
    }
    return true;
  } catch (...) {
  }
  return false;
}

void DiskFullWatch::committed() {
  if (full_.exchange(false)) Poco::Logger::get("hookhost.storage").warning("disk writable again");
}

}  // namespace hookhost::storage
