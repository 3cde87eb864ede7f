"""Fetching a user-supplied URL without letting it reach this machine's own network.

A URL given by a user (or found in a feed) could name 127.0.0.1, a cloud metadata address or a
host on the private network behind the service (server-side request forgery). So each hop of a
fetch is checked before anything is sent: the scheme (http or https), no credentials in the URL,
and every address its host resolves to must be a public one (the `ipaddress` module's classes:
not loopback, link-local, private, reserved, multicast nor unspecified) unless the operator's
allow-list (`FetchPolicy.allow_networks`) names the host or the address's network. The request then
goes to the checked address itself, with the host name in the Host header and in TLS's SNI, so a
second DNS answer cannot point the connection somewhere else (DNS rebinding). Redirects are
followed here, hop by hop, each checked the same way.

The answer must be a web page, a feed or plain text (its Content-Type), at most `max_bytes` long
(counted while reading, whatever Content-Length says), and arrive within `timeout_s` in all. A
compressed body (gzip or deflate) is unpacked here, in pieces of at most READ_BYTES, and refused as
soon as it passes `max_bytes` unpacked: 1 MiB of gzip can unpack to 1 GiB, and httpx's own decoder
unpacks a whole network chunk at once (~150 MB held for such a bomb before the limit tripped).
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin

import httpx

from ..errors import InputError

try:
    _VERSION = version("newsbrief")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "dev"
USER_AGENT = f"newsbrief/{_VERSION} (+https://github.com/newsbrief/newsbrief)"

# What an article or a feed is served as; anything else (images, PDFs, archives) is refused.
ACCEPTED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "text/plain",
    }
)
# The encodings unpacked here (zlib's window bits: gzip's header, or zlib's then raw deflate's).
ENCODINGS = {"gzip": 31, "x-gzip": 31, "deflate": 15}
ACCEPT_ENCODING = "gzip, deflate"
# Largest piece read from the network, and unpacked from it, at a time.
READ_BYTES = 65_536
ACCEPT_HEADER = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/xml;q=0.9, "
    "text/plain;q=0.8"
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class FetchPolicy:
    """How URLs are fetched. `allow_networks` is the operator's allow-list: CIDR networks
    ("127.0.0.1/32", "10.0.0.0/8") or host names ("localhost") that may be fetched although their
    addresses are not public; empty, the default, allows public addresses only."""

    allow_networks: tuple[str, ...] = ()
    timeout_s: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        for entry in self.allow_networks:
            _parse_allowed(entry)  # a typo in the allow-list fails at once, not at the first fetch
        if self.timeout_s <= 0 or self.max_bytes <= 0 or self.max_redirects < 0:
            raise InputError("fetch limits must be positive (timeout_s, max_bytes) or zero (max_redirects)", "fetch")

    def allowed_networks(self) -> tuple[IpNetwork, ...]:
        return tuple(n for n in map(_parse_allowed, self.allow_networks) if not isinstance(n, str))

    def allowed_hosts(self) -> frozenset[str]:
        return frozenset(n for n in map(_parse_allowed, self.allow_networks) if isinstance(n, str))


def _parse_allowed(entry: str) -> IpNetwork | str:
    """An allow-list entry as a network, or as a lower-case host name."""
    text = entry.strip()
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        pass
    if not text or any(c in text for c in "/:@ ") or text.startswith("."):
        raise InputError(f"allow-list entry {entry!r} is neither a network (CIDR) nor a host name", "allow_networks")
    return text.lower().rstrip(".")


class FetchRefused(InputError):
    """The URL may not be fetched (not http(s), credentials, a non-public address, too big, the
    wrong content type, too many redirects); nothing was sent to a refused address."""

    def __init__(self, url: str, reason: str, field: str = "url"):
        super().__init__(f"{url}: refused: {reason}", field)
        self.url = url
        self.reason = reason


class FetchFailed(InputError):
    """The remote could not be fetched: a network error, a time-out, an HTTP error status."""

    def __init__(self, url: str, reason: str, field: str = "url"):
        super().__init__(f"{url}: could not fetch: {reason}", field)
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Fetched:
    """A fetched body: `url` is the final one (after redirects), `content_type` without parameters."""

    url: str
    content_type: str | None
    charset: str | None
    body: bytes


def address_problem(address: IpAddress) -> str | None:
    """Why an address is not a public one, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and 2002:7f00:1:: reach the IPv4 address inside them.
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return address_problem(inner)
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "non-public"),
    )
    return next((f"{address} is a {kind} address" for bad, kind in checks if bad), None)


@dataclass(frozen=True)
class _Target:
    """One hop's checked destination: the addresses to connect to (all checked, tried in order) and
    the name the server expects."""

    url: httpx.URL
    addresses: tuple[str, ...]
    host: str


def check_url(url: str, policy: FetchPolicy) -> _Target:
    """The address to connect to for `url`, or FetchRefused when it may not be fetched."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as err:
        raise FetchRefused(url, f"not a valid URL ({err})") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchRefused(url, f"only http and https URLs are fetched, not {parsed.scheme or 'a relative URL'!r}")
    if parsed.userinfo:
        raise FetchRefused(url, "credentials in a URL are not sent")
    host = parsed.host.lower().rstrip(".")
    if not host:
        raise FetchRefused(url, "the URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchFailed(url, f"cannot resolve {host} ({err})") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found))
    if not addresses:
        raise FetchFailed(url, f"cannot resolve {host}")
    if host not in policy.allowed_hosts():
        networks = policy.allowed_networks()
        for address in addresses:
            problem = address_problem(address)
            # Every address must pass: the connection could go to any of them.
            if problem and not any(address in network for network in networks):
                raise FetchRefused(url, f"{problem} (not on the fetch allow-list)")
    return _Target(url=parsed, addresses=tuple(map(str, addresses)), host=host)


def fetch(url: str, policy: FetchPolicy) -> Fetched:
    """GET `url` under `policy`, following at most `max_redirects` redirects, each hop checked."""
    deadline = time.monotonic() + policy.timeout_s
    headers = {"User-Agent": policy.user_agent, "Accept": ACCEPT_HEADER, "Accept-Encoding": ACCEPT_ENCODING}
    # trust_env=False: a proxy from the environment would connect to a host we never checked.
    with httpx.Client(timeout=policy.timeout_s, follow_redirects=False, trust_env=False, headers=headers) as client:
        current = url
        for _ in range(policy.max_redirects + 1):
            target = check_url(current, policy)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchFailed(current, f"timed out after {policy.timeout_s:g} s")
            response = _send(client, target, remaining, current, policy)
            try:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchFailed(current, f"HTTP {response.status_code} redirect without a Location")
                    current = urljoin(current, location)
                    continue
                if response.status_code >= 400:
                    raise FetchFailed(current, f"HTTP {response.status_code} {response.reason_phrase}".strip())
                return _read(response, current, policy, deadline)
            finally:
                response.close()
        raise FetchRefused(url, f"more than {policy.max_redirects} redirects")


def _send(client: httpx.Client, target: _Target, remaining: float, url: str, policy: FetchPolicy) -> httpx.Response:
    """The response of the first checked address that accepts the connection ("localhost" may
    resolve to ::1 first while the server listens on 127.0.0.1 only)."""
    for number, address in enumerate(target.addresses, start=1):
        request = client.build_request(
            "GET",
            target.url.copy_with(host=address),
            # The name, not the address, in the Host header and TLS's SNI (and so the certificate check).
            headers={"Host": target.url.netloc.decode("ascii")},
            extensions={"sni_hostname": target.host},
            timeout=remaining,
        )
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError as err:
            if number == len(target.addresses):
                raise FetchFailed(url, str(err) or "connection refused") from None
        except httpx.TimeoutException:
            raise FetchFailed(url, f"timed out after {policy.timeout_s:g} s") from None
        except httpx.HTTPError as err:
            raise FetchFailed(url, str(err) or type(err).__name__) from None
    raise FetchFailed(url, "no address to connect to")


def _read(response: httpx.Response, url: str, policy: FetchPolicy, deadline: float) -> Fetched:
    content_type = response.headers.get("content-type")
    media_type = content_type.split(";")[0].strip().lower() if content_type else None
    if media_type is not None and media_type not in ACCEPTED_TYPES:
        raise FetchRefused(url, f"content type {media_type} is not a web page, a feed or text")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchRefused(url, f"{int(declared)} bytes is over the {policy.max_bytes} byte limit")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ENCODINGS and encoding not in ("", "identity"):
        raise FetchRefused(url, f"content encoding {encoding} is not one of gzip and deflate")
    chunks: list[bytes] = []
    size = 0
    try:
        raw = response.iter_raw(READ_BYTES)
        for chunk in unpacked(raw, ENCODINGS[encoding], url) if encoding in ENCODINGS else raw:
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchRefused(url, f"the body is over the {policy.max_bytes} byte limit")
            if time.monotonic() > deadline:
                # A server that trickles bytes would otherwise hold the fetch for ever.
                raise FetchFailed(url, f"timed out after {policy.timeout_s:g} s")
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise FetchFailed(url, f"timed out after {policy.timeout_s:g} s") from None
    except httpx.HTTPError as err:
        raise FetchFailed(url, str(err) or type(err).__name__) from None
    return Fetched(url=url, content_type=media_type, charset=response.charset_encoding, body=b"".join(chunks))


def unpacked(packed: Iterator[bytes], wbits: int, url: str) -> Iterator[bytes]:
    """The bytes unpacked from `packed`, in pieces of at most READ_BYTES: the caller stops at its
    limit having held no more than that beyond it. Deflate is zlib's format or, as some servers
    send it, raw deflate."""
    decoder = zlib.decompressobj(wbits)
    started = False
    try:
        for data in packed:
            if not started and wbits == ENCODINGS["deflate"] and data and data[0] & 0x0F != zlib.DEFLATED:
                decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # no zlib header: raw deflate
            started = started or bool(data)
            while data and not decoder.eof:
                yield decoder.decompress(data, READ_BYTES)
                data = decoder.unconsumed_tail
        yield decoder.flush()
    except zlib.error as err:
        raise FetchFailed(url, f"the compressed body is corrupt ({err})") from None
