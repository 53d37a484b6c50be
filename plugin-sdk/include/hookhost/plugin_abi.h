/*
 * hookhost native plugin ABI, version 1.
 *
 * Plain C: compiles as C99 and as C++. A plugin is a shared library that exports exactly one
 * function, hh_plugin_entry_v1(), returning a pointer to a static hh_plugin_v1 that lives as
 * long as the library is mapped (the host never unmaps a plugin).
 *
 * Rules of the boundary:
 * - Only C types cross: NUL-terminated UTF-8 names, (pointer, length) JSON bytes, fixed-width
 *   integers and opaque pointers. Payloads, results and configuration are JSON text.
 * - Whoever allocates frees. Text the host hands a plugin (config values, error texts, defer
 *   tokens) is owned by the host and stays valid until the plugin callback that received it
 *   (init or handle) returns; copy it to keep it. Text a plugin hands the host (results,
 *   errors, log lines, emitted payloads) is copied by the host before the call returns.
 * - Nothing throws across the boundary: every callback returns a status; failures carry
 *   their message through set_error.
 * - Structs begin with their size. New fields are only ever appended (ABI minor version);
 *   the reader checks struct_size before reading a field past the v1.0 layout, and optional
 *   trailing callbacks may be NULL.
 */
#ifndef HOOKHOST_PLUGIN_ABI_H
#define HOOKHOST_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HH_PLUGIN_ABI_MAJOR 1
#define HH_PLUGIN_ABI_MINOR 1

#if defined(_WIN32)
#define HH_PLUGIN_EXPORT __declspec(dllexport)
#else
#define HH_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Status codes returned by init and handle, and by the host table's fallible calls. */
#define HH_OK 0
#define HH_ERROR 1
/* handle only: the job waits for an outside callback (the plugin called defer first). */
#define HH_DEFERRED 2

/* Log levels for hh_host_api_v1.log. */
#define HH_LOG_DEBUG 0
#define HH_LOG_INFO 1
#define HH_LOG_WARN 2
#define HH_LOG_ERROR 3

/*
 * The host's side of one init or handle call. Opaque to the plugin; valid only until that
 * callback returns. Pass it back to every hh_host_api_v1 function.
 */
typedef struct hh_ctx hh_ctx;

/* One handler a plugin offers. */
typedef struct hh_handler_v1 {
  const char* name;                 /* unique within the plugin, e.g. "summary" */
  const char* const* hooks;         /* NULL-terminated list of hook names it is written for */
  const char* const* default_tags;  /* NULL-terminated list, or NULL for none */
  const char* description;          /* one line for humans, or NULL */
} hh_handler_v1;

/* What the host knows about the job a handle call runs for. */
typedef struct hh_call_v1 {
  uint32_t struct_size;
  uint32_t reserved;
  int64_t job_id;
  int64_t event_id;
  int64_t handler_id;      /* the registered handler (POST /v1/handlers) */
  int32_t handler_version;
  int32_t attempt;         /* 1 on the first run, 2 on the first retry, ... */
  const char* handler;     /* which of this plugin's handlers to run */
  const char* registered_name;  /* the registered handler's name */
  const char* hook;
  const char* user;        /* the registering user, whose identity the job runs with */
  const char* config_json; /* the registration's "config" object */
  size_t config_len;
  /* ABI 1.1 (check struct_size before reading): the events the job runs for. */
  const char* event_at;    /* RFC 3339: when event_id was recorded */
  /* A coalescing handler's gathered events, oldest first, as a JSON array of
   * {"event_id", "hook", "payload", "at"} (the payload handle gets is the last one's);
   * NULL for a job of one event: event_id, hook, event_at and handle's payload. */
  const char* events_json;
  size_t events_len;
} hh_call_v1;

/* The struct_size of an hh_call_v1 that carries the ABI 1.1 event fields. */
#define HH_CALL_V1_EVENTS_SIZE (offsetof(hh_call_v1, events_len) + sizeof(size_t))

/*
 * The table the host hands a plugin in init. The pointer stays valid while the library is
 * mapped, so a plugin may keep it. Every function takes the hh_ctx of the callback in
 * progress. Thread safety: during a handle call the plugin may use its ctx from any thread,
 * but never after handle returned.
 */
typedef struct hh_host_api_v1 {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t reserved;

  /* A log line, kept with the job (handle) or in the host log (init). */
  void (*log)(hh_ctx* ctx, int32_t level, const char* text, size_t len);

  /* Configuration lookup. During handle the registration's config is searched first, then
   * the plugin config; during init only the plugin config. key is a top-level member name
   * or a JSON pointer ("/smtp/port"). Found: returns HH_OK and sets *json and *len to the
   * value as JSON text (host-owned). Not found: HH_ERROR. */
  int32_t (*config_get)(hh_ctx* ctx, const char* key, const char** json, size_t* len);

  /* Fire another event; handle only. tags_json is a JSON array or NULL; key an idempotency
   * key or NULL. Refused (unknown hook, payload failing its schema, chain too deep): returns
   * HH_ERROR and points *error at the reason (host-owned). */
  int32_t (*emit)(hh_ctx* ctx, const char* hook, const char* payload_json, size_t payload_len,
                  const char* tags_json, size_t tags_len, const char* key, const char** error);

  /* Progress, appended to the job's history as an UPDATE entry; handle only. */
  int32_t (*update)(hh_ctx* ctx, const char* data_json, size_t len);

  /* Ask for a callback token; handle only. On HH_OK *token and *callback_path (host-owned)
   * say where the outside system reports; handle must then return HH_DEFERRED. On HH_ERROR
   * *token is the reason. */
  int32_t (*defer)(hh_ctx* ctx, const char* data_json, size_t len, const char** token,
                   const char** callback_path);

  /* The text result of a successful handle (the success email's body). Copied. */
  void (*set_result)(hh_ctx* ctx, const char* text, size_t len);

  /* Why init or handle failed (the failure email's body). Copied. */
  void (*set_error)(hh_ctx* ctx, const char* text, size_t len);
} hh_host_api_v1;

/* The plugin's static description. */
typedef struct hh_plugin_v1 {
  uint32_t struct_size;  /* sizeof(hh_plugin_v1) as the plugin was compiled */
  uint32_t abi_major;    /* HH_PLUGIN_ABI_MAJOR */
  uint32_t abi_minor;    /* HH_PLUGIN_ABI_MINOR */
  uint32_t handler_struct_size;  /* sizeof(hh_handler_v1): the stride of handlers[] */
  const char* name;      /* unique among loaded plugins: [A-Za-z0-9_.-]+ */
  const char* version;   /* free text, e.g. "1.2.0" */
  const hh_handler_v1* handlers;
  uint32_t handler_count;
  uint32_t reserved;

  /* Called once after loading, before any handle. config_json is the plugin-level config
   * object. Store per-plugin state in *state (passed back to handle and shutdown). Return
   * HH_OK, or HH_ERROR after set_error. */
  int32_t (*init)(const hh_host_api_v1* api, hh_ctx* ctx, const char* config_json,
                  size_t config_len, void** state);

  /* Runs one job. May be called concurrently from several threads for in-process plugins.
   * Returns HH_OK after set_result (no result = empty text), HH_ERROR after set_error, or
   * HH_DEFERRED after a successful defer. */
  int32_t (*handle)(void* state, hh_ctx* ctx, const hh_call_v1* call, const char* payload_json,
                    size_t payload_len);

  /* Called once when no call can reach this load of the plugin any more; may be NULL. The
   * library stays mapped afterwards. */
  void (*shutdown)(void* state);
} hh_plugin_v1;

/* The smallest struct_size the host accepts for ABI 1. */
#define HH_PLUGIN_V1_MIN_SIZE (offsetof(hh_plugin_v1, shutdown) + sizeof(void (*)(void*)))

/* The one exported function: every plugin defines it (plugin.hpp's HOOKHOST_PLUGIN does). */
HH_PLUGIN_EXPORT const hh_plugin_v1* hh_plugin_entry_v1(void);
typedef const hh_plugin_v1* (*hh_plugin_entry_v1_fn)(void);
#define HH_PLUGIN_ENTRY_V1_NAME "hh_plugin_entry_v1"

#ifdef __cplusplus
}
#endif

#endif /* HOOKHOST_PLUGIN_ABI_H */
