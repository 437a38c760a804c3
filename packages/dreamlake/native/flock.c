/*
 * flock(2) for Node.js, so that dreamlake's writers and the Python SDK's writers
 * (which lock `.track.lock` and friends with fcntl.flock) exclude each other.
 * Node has no flock binding of its own. The call is non-blocking (LOCK_NB is
 * expected in `operation`); the JavaScript side retries with a timer so that the
 * event loop never blocks on a lock held by another process.
 */
#include <errno.h>
/* node_version.h names the Node.js whose headers build this file. It also defines
 * NAPI_VERSION as that Node's newest Node-API; undefined again, node_api.h keeps its
 * default, so the addon asks for no more than it uses. */
#include <node_version.h>
#undef NAPI_VERSION
#include <node_api.h>
#include <sys/file.h>

static napi_value Flock(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  int32_t fd = -1;
  int32_t operation = 0;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "flock(fd, operation) needs two integers");
    return NULL;
  }
  if (napi_get_value_int32(env, args[0], &fd) != napi_ok ||
      napi_get_value_int32(env, args[1], &operation) != napi_ok) {
    napi_throw_type_error(env, NULL, "flock(fd, operation) needs two integers");
    return NULL;
  }
  /* Returns 0 on success, or the errno value (EWOULDBLOCK when the lock is held elsewhere). */
  napi_create_int32(env, flock(fd, operation) == 0 ? 0 : errno, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_value built_for;
  napi_create_function(env, "flock", NAPI_AUTO_LENGTH, Flock, NULL, &fn);
  napi_set_named_property(env, exports, "flock", fn);
  /* The Node.js whose headers built this file, so that a test run under several Node
   * versions can check that each loads an addon built for itself. */
  napi_create_string_utf8(env, NODE_VERSION_STRING, NAPI_AUTO_LENGTH, &built_for);
  napi_set_named_property(env, exports, "builtForNode", built_for);
  return exports;
}
