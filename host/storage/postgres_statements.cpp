#include "storage/postgres_statements.hpp"

#include <charconv>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include <libpq-fe.h>

#include <Poco/Data/DataException.h>

#include "storage/sql_dialect.hpp"

namespace hookhost::storage::sql {
namespace {

// Type OIDs of the result columns read as numbers (PostgreSQL's pg_type.h).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string failureText(PGconn* connection, const PGresult* result, const std::string& sql) {
  std::string message = result ? PQresultErrorMessage(result) : "";
  if (message.empty()) message = PQerrorMessage(connection);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // The SQLSTATE says what kind of failure it was (53100: disk full, see storage_full.cpp).
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state) message += std::string(" [SQLSTATE ") + state + "]";
  return message + " (in: " + sql + ")";
}

[[noreturn]] void fail(PGconn* connection, const PGresult* result, const std::string& sql) {
  throw Poco::Data::DataException(failureText(connection, result, sql));
}

Result checked(PGconn* connection, PGresult* raw, const std::string& sql) {
  Result result(raw, &PQclear);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(connection, raw, sql);
  return result;
}

// Parameters as libpq takes them: text values, or null pointers for SQL NULL.
class TextParams {
 public:
  explicit TextParams(const Params& params) {
    texts_.reserve(params.values.size());
    for (const Param& param : params.values) {
      if (param.null) texts_.emplace_back();
      else if (param.type == Param::Type::Integer) texts_.push_back(std::to_string(param.integer));
      else if (param.type == Param::Type::Real) texts_.push_back(realText(param.real));
      else texts_.push_back(param.text);
    }
    for (std::size_t i = 0; i < texts_.size(); ++i) {
      values_.push_back(params.values[i].null ? nullptr : texts_[i].c_str());
    }
  }
  int count() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }

 private:
  static std::string realText(double value) {
    char buffer[32];
    auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;  // shortest exact form
    return std::string(buffer, end);
  }

  std::vector<std::string> texts_;
  std::vector<const char*> values_;
};

Value numeric(const char* text, int length) {
  std::int64_t integer = 0;
  auto [end, error] = std::from_chars(text, text + length, integer);
  if (error == std::errc() && end == text + length) return integer;
  return std::stod(std::string(text, static_cast<std::size_t>(length)));
}

Value fieldValue(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return std::monostate{};
  const char* text = PQgetvalue(result, row, column);
  const int length = PQgetlength(result, row, column);
  switch (PQftype(result, column)) {
    case kBool: return static_cast<std::int64_t>(text[0] == 't');
    case kInt2:
    case kInt4:
    case kInt8:
    case kNumeric: return numeric(text, length);
    case kFloat4:
    case kFloat8: return std::stod(std::string(text, static_cast<std::size_t>(length)));
    default: return std::string(text, static_cast<std::size_t>(length));
  }
}

Rows readRows(const PGresult* result) {
  const int columnCount = PQnfields(result);
  const int rowCount = PQntuples(result);
  std::vector<std::string> columns;
  columns.reserve(static_cast<std::size_t>(columnCount));
  for (int column = 0; column < columnCount; ++column) columns.emplace_back(PQfname(result, column));
  std::vector<std::vector<Value>> values(static_cast<std::size_t>(rowCount));
  for (int row = 0; row < rowCount; ++row) {
    auto& out = values[static_cast<std::size_t>(row)];
    out.reserve(static_cast<std::size_t>(columnCount));
    for (int column = 0; column < columnCount; ++column) out.push_back(fieldValue(result, row, column));
  }
  return Rows(std::move(columns), std::move(values));
}

// The kept statement for `sql`, prepared now if it is new; null when there is no room.
const std::string* preparedName(PGconn* connection, PostgresStatements& statements, const std::string& sql,
                                int parameterCount) {
  if (const std::string* known = statements.find(sql)) return known;
  if (!statements.hasRoom()) return nullptr;
  const std::string name = statements.nameOfNext();
  std::string numbered = forDialect(Dialect::Postgres, sql);
  checked(connection, PQprepare(connection, name.c_str(), numbered.c_str(), parameterCount, nullptr), numbered);
  return &statements.add(sql, name);
}

// Queues `sql` in the connection's pipeline (entered if need be), prepared first if new.
void send(PGconn* connection, PostgresStatements& statements, const std::string& sql, const TextParams& text) {
  if (PQpipelineStatus(connection) == PQ_PIPELINE_OFF && PQenterPipelineMode(connection) != 1) {
    fail(connection, nullptr, sql);
  }
  const std::string* name = statements.find(sql);
  std::string numbered;
  if (!name) numbered = forDialect(Dialect::Postgres, sql);
  if (!name && statements.hasRoom()) {
    const std::string fresh = statements.nameOfNext();
    if (PQsendPrepare(connection, fresh.c_str(), numbered.c_str(), text.count(), nullptr) != 1) {
      fail(connection, nullptr, sql);
    }
    name = &statements.add(sql, fresh);
    statements.sent(sql, true);
  }
  const int queued = name ? PQsendQueryPrepared(connection, name->c_str(), text.count(), text.values(), nullptr,
                                                nullptr, 0)
                          : PQsendQueryParams(connection, numbered.c_str(), text.count(), nullptr, text.values(),
                                              nullptr, nullptr, 0);
  if (queued != 1) fail(connection, nullptr, sql);
  statements.sent(sql, false);
}

// The first failure among a pipeline's results.
struct PipelineFailure {
  std::size_t at = 0;
  std::string message;
};

// Sends the pipeline's sync point and reads every result, in order; returns the last
// statement's (the caller's, when it sent one last). The first failure is kept in `failure`;
// the statements after it were skipped by the server. Leaves the connection out of
// pipeline mode and with nothing unanswered, whatever happens.
Result finishPipeline(PGconn* connection, PostgresStatements& statements, std::optional<PipelineFailure>& failure) {
  auto unanswered = statements.takeUnanswered();
  if (PQpipelineSync(connection) != 1) fail(connection, nullptr, "the end of a pipeline");
  Result last(nullptr, &PQclear);
  for (std::size_t i = 0; i < unanswered.size(); ++i) {
    Result mine(nullptr, &PQclear);
    while (PGresult* raw = PQgetResult(connection)) mine.reset(raw);
    const ExecStatusType status = mine ? PQresultStatus(mine.get()) : PGRES_FATAL_ERROR;
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_PIPELINE_ABORTED;
    if (!ok && !failure) {
      failure = PipelineFailure{i, failureText(connection, mine.get(), unanswered[i].sql)};
      // A statement that failed to prepare has no name on the server.
      if (unanswered[i].preparing) statements.forget(unanswered[i].sql);
    }
    last = std::move(mine);
  }
  Result sync(PQgetResult(connection), &PQclear);
  if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC || PQexitPipelineMode(connection) != 1) {
    fail(connection, sync.get(), "the end of a pipeline");
  }
  return last;
}

std::size_t changedRows(const PGresult* result) {
  const char* changed = PQcmdTuples(const_cast<PGresult*>(result));
  return changed && *changed ? static_cast<std::size_t>(std::stoull(changed)) : 0;
}

// Runs what the caller sent last after the statements that were waiting, in one round trip.
// A failure of one of those is the caller's work's failure too (its statement did not run).
// `waiting`: how many of the unanswered statements were sent before the caller's.
Result finishWithOwn(PGconn* connection, PostgresStatements& statements, std::size_t waiting) {
  std::optional<PipelineFailure> failure;
  Result last = finishPipeline(connection, statements, failure);
  if (failure && failure->at < waiting) throw UnansweredStatementFailed(failure->message);
  if (failure) throw Poco::Data::DataException(failure->message);
  return last;
}

}  // namespace

const std::string* PostgresStatements::find(const std::string& sql) const {
  auto found = names_.find(sql);
  return found == names_.end() ? nullptr : &found->second;
}

const std::string& PostgresStatements::add(const std::string& sql, const std::string& name) {
  ++named_;
  return names_.emplace(sql, name).first->second;
}

std::vector<PostgresStatements::Unanswered> PostgresStatements::takeUnanswered() {
  std::vector<Unanswered> taken;
  taken.swap(unanswered_);
  return taken;
}

std::size_t runPostgres(PGconn* connection, PostgresStatements* statements, const std::string& sql,
                        const Params& params, Rows* rows) {
  TextParams text(params);
  Result result(nullptr, &PQclear);
  if (statements && statements->unansweredCount() > 0) {
    const std::size_t waiting = statements->unansweredCount();
    send(connection, *statements, sql, text);
    result = finishWithOwn(connection, *statements, waiting);
  } else if (const std::string* name = statements ? preparedName(connection, *statements, sql, text.count()) : nullptr) {
    result = checked(connection, PQexecPrepared(connection, name->c_str(), text.count(), text.values(), nullptr,
                                                nullptr, 0),
                     sql);
  } else {
    if (PQpipelineStatus(connection) != PQ_PIPELINE_OFF) {
      throw std::logic_error("a statement on a connection whose pipeline another Connection holds");
    }
    std::string numbered = forDialect(Dialect::Postgres, sql);
    result = checked(connection, PQexecParams(connection, numbered.c_str(), text.count(), nullptr, text.values(),
                                              nullptr, nullptr, 0),
                     numbered);
  }
  if (rows) *rows = readRows(result.get());
  return changedRows(result.get());
}

void sendPostgres(PGconn* connection, PostgresStatements* statements, const std::string& sql, const Params& params) {
  if (!statements) {
    runPostgres(connection, statements, sql, params, nullptr);
    return;
  }
  send(connection, *statements, sql, TextParams(params));
}

void runPostgresScript(PGconn* connection, PostgresStatements* statements, const std::vector<const char*>& script) {
  if (statements && statements->unansweredCount() > 0) {
    const std::size_t waiting = statements->unansweredCount();
    for (const char* statement : script) {
      if (PQsendQueryParams(connection, statement, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
        fail(connection, nullptr, statement);
      }
      statements->sent(statement, false);
    }
    finishWithOwn(connection, *statements, waiting);
    return;
  }
  std::string joined;
  for (const char* statement : script) joined += std::string(joined.empty() ? "" : "; ") + statement;
  // PQexec returns the last statement's result; the first that fails ends the script there.
  checked(connection, PQexec(connection, joined.c_str()), joined);
}

void abandonUnanswered(PGconn* connection, PostgresStatements* statements) {
  if (!statements || statements->unansweredCount() == 0) return;
  std::optional<PipelineFailure> ignored;
  finishPipeline(connection, *statements, ignored);
}

}  // namespace hookhost::storage::sql
