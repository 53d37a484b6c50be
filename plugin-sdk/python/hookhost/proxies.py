"""Which HTTP proxy, if any, the client goes through: the same choice urllib made, which the
client used before it kept connections alive (http_proxy / https_proxy / no_proxy)."""

import base64
import collections
import urllib.parse
import urllib.request

Proxy = collections.namedtuple("Proxy", "host port authorization")  # authorization: header value or None


def proxy_for(scheme, host):
    """The proxy configured for `scheme` (http or https) unless `host` is exempt, else None."""
    url = urllib.request.getproxies().get(scheme)
    if not url or urllib.request.proxy_bypass(host):
        return None
    if "://" not in url:
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    authorization = None
    if parts.username is not None:
        credentials = "%s:%s" % (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
        authorization = "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")
    return Proxy(parts.hostname, parts.port or 80, authorization)
