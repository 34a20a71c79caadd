#!/usr/bin/env python3
"""Generates signature_vectors.json, the test vectors for TwilioWebhooks' SignatureValidator
and FormBody, from Twilio's official Python SDK, the reference implementation.

Re-run from the package root (the output lands beside this script):

    python3 -m venv /tmp/twilio-venv
    /tmp/twilio-venv/bin/pip install 'twilio==9.13.0'
    /tmp/twilio-venv/bin/python Tests/TwilioWebhooksTests/Vectors/generate_signature_vectors.py

Generated with twilio 9.13.0 on CPython 3.11.7. The SDK's URL handling goes through
urllib.parse, so record the Python version too when regenerating.

Every signature and every verdict in the output comes from the SDK's RequestValidator:
compute_signature() for what Twilio sends, validate() for whether a receiver must accept it,
and get_signature_algorithm() for the X-Twilio-Webhooks-Signature-Settings header (its
format, per the SDK: "key=<SharedKey id>,algorithm=<algorithm>"). twilio
9.13.0 supports HMAC_SHA256 itself, so no vector is computed outside the SDK. The FormBody
vectors come from urllib.parse.parse_qsl(keep_blank_values=True, strict_parsing=False), which
is how Python web frameworks decode the form bodies they hand to the SDK.

Each request vector has a signer (what Twilio signed: secret, URL, body, algorithm) and a
receiver (what the server saw: secret, URL, body, settings header). A receiver that differs
from its signer is a mutation: wrong token, tampered or extra parameter, another port or
scheme, and so on. When the SDK raises instead of answering (it does for some malformed
input), the vector is invalid and "sdkError" names the exception.
"""

import hashlib
import json
import pathlib
import platform
from urllib.parse import parse_qsl

import twilio
from twilio.request_validator import RequestValidator, get_signature_algorithm

OUTPUT = pathlib.Path(__file__).with_name("signature_vectors.json")

TOKEN = "12345"
ACCOUNT_TOKEN = "d41d8cd98f00b204e9800998ecf8427e"
OTHER_TOKEN = "0cc175b9c0f1b6a831c399e269772661"
SHARED_KEY = "wsk_3f9a1c2e7b6d4a5f8e0c1b2a3d4e5f60"
SHARED_KEY_SETTINGS = "key=webhooks_sharedkey_01JZ8Q2N4V6X8Z0B2D4F6H8J0K,algorithm=HMAC_SHA256"

DOCUMENTED_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOCUMENTED_PARAMS = [
    ["CallSid", "CA1234567890ABCDE"],
    ["Caller", "+12349013030"],
    ["Digits", "1234"],
    ["From", "+12349013030"],
    ["To", "+18005551212"],
]
DOCUMENTED_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

STATUS_URL = "https://hooks.example.com/twilio/status"
STATUS_PARAMS = [
    ["AccountSid", "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"],
    ["ApiVersion", "2010-04-01"],
    ["From", "+15017250604"],
    ["MessageSid", "SM1f0e8ae6ade43cb3c0ce4525424e404f"],
    ["MessageStatus", "delivered"],
    ["SmsSid", "SM1f0e8ae6ade43cb3c0ce4525424e404f"],
    ["SmsStatus", "delivered"],
    ["To", "+15558675310"],
]

# Names whose UTF-8 byte order (what Python sorts by: code points) differs from naive orders:
# "e" + U+0301 and U+00E9 are canonically equivalent (Swift's String == merges them) but are
# two names to Python; U+FF5E sorts before U+1F600 by code point but after it by UTF-16
# code unit; "Z" < "a" < "ß" by bytes, unlike a case-insensitive or locale-aware sort.
UNICODE_PARAMS = [
    ["f", "1"],
    ["\u00e9", "precomposed"],
    ["e\u0301", "decomposed"],
    ["Z", "upper"],
    ["a", "lower"],
    ["\u00df", "sharp s"],
    ["\U0001f600", "astral"],
    ["\uff5e", "fullwidth tilde"],
    ["\ue000", "private use"],
    ["\u65e5\u672c", "kanji"],
    ["Multi", "\u00e9"],
    ["Multi", "e\u0301"],
    ["Multi", "Z"],
    ["Multi", "a"],
]

JSON_BODY = '{"MessageSid":"SM1f0e8ae6ade43cb3c0ce4525424e404f","MessageStatus":"delivered","Note":"caf\u00e9"}'


class QueryDict:
    """A multi-valued parameter mapping with Django's QueryDict.getlist(), which
    RequestValidator.get_values() uses to read every value of a repeated name."""

    def __init__(self, pairs):
        self._pairs = [tuple(pair) for pair in pairs]

    def __iter__(self):
        return iter(dict.fromkeys(name for name, _ in self._pairs))

    def __len__(self):
        return len(dict.fromkeys(name for name, _ in self._pairs))

    def getlist(self, name):
        return [value for key, value in self._pairs if key == name]


def form(pairs):
    return {"kind": "form", "parameters": [list(pair) for pair in pairs]}


def json_body(text):
    return {"kind": "json", "json": text}


NO_BODY = {"kind": "none"}


def sdk_params(body):
    """The body as the SDK takes it: a multi-dict for a form, the raw string for JSON."""
    if body["kind"] == "form":
        return QueryDict(body["parameters"])
    if body["kind"] == "json":
        return body["json"]
    return None


def signing_params(body):
    """Twilio signs a JSON body's URL alone: compute_signature() gets no parameters."""
    return QueryDict(body["parameters"]) if body["kind"] == "form" else {}


def body_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request(
    description,
    *,
    token,
    url,
    body,
    algorithm="HMAC_SHA1",
    receiver_token=None,
    receiver_url=None,
    receiver_body=None,
    settings=None,
    signature=None,
):
    """One request: what the SDK signs for the signer, and what validate() says for the
    receiver (which defaults to the signer). `signature` overrides the header sent."""
    computed = RequestValidator(token).compute_signature(url, signing_params(body), algorithm)
    sent = computed if signature is None else signature
    receiver = {
        "authToken": token if receiver_token is None else receiver_token,
        "url": url if receiver_url is None else receiver_url,
        "body": body if receiver_body is None else receiver_body,
        "signature": sent,
        "signatureSettings": settings,
    }
    sdk_error = None
    try:
        valid = RequestValidator(receiver["authToken"]).validate(
            receiver["url"],
            sdk_params(receiver["body"]),
            sent,
            get_signature_algorithm(settings),
        )
    except Exception as error:  # the SDK raises on some malformed input: that is a refusal
        valid = False
        sdk_error = f"{type(error).__name__}: {error}"
    return {
        "description": description,
        "signer": {"authToken": token, "url": url, "body": body, "algorithm": algorithm},
        "computedSignature": computed,
        "receiver": receiver,
        "valid": bool(valid),
        "sdkError": sdk_error,
    }


def requests():
    status = form(STATUS_PARAMS)
    vectors = [
        # Twilio's documented example, and mutations of it.
        request("documented example", token=TOKEN, url=DOCUMENTED_URL, body=form(DOCUMENTED_PARAMS)),
        request(
            "documented example, wrong token",
            token=TOKEN, url=DOCUMENTED_URL, body=form(DOCUMENTED_PARAMS), receiver_token="54321",
        ),
        request(
            "documented example, tampered value",
            token=TOKEN, url=DOCUMENTED_URL, body=form(DOCUMENTED_PARAMS),
            receiver_body=form(DOCUMENTED_PARAMS[:2] + [["Digits", "1235"]] + DOCUMENTED_PARAMS[3:]),
        ),
        request(
            "documented example, extra parameter",
            token=TOKEN, url=DOCUMENTED_URL, body=form(DOCUMENTED_PARAMS),
            receiver_body=form(DOCUMENTED_PARAMS + [["Extra", ""]]),
        ),
        request(
            "documented example, missing parameter",
            token=TOKEN, url=DOCUMENTED_URL, body=form(DOCUMENTED_PARAMS),
            receiver_body=form(DOCUMENTED_PARAMS[1:]),
        ),
        request(
            "documented example, parameters in another order",
            token=TOKEN, url=DOCUMENTED_URL, body=form(DOCUMENTED_PARAMS),
            receiver_body=form(list(reversed(DOCUMENTED_PARAMS))),
        ),
        request(
            "documented example, query parameters reordered",
            token=TOKEN, url=DOCUMENTED_URL, body=form(DOCUMENTED_PARAMS),
            receiver_url="https://mycompany.com/myapp.php?bar=2&foo=1",
        ),
        request(
            "documented example, empty signature header",
            token=TOKEN, url=DOCUMENTED_URL, body=form(DOCUMENTED_PARAMS), signature="",
        ),
        # A status callback and the URL variants Twilio may have signed.
        request("status callback", token=ACCOUNT_TOKEN, url=STATUS_URL, body=status),
        request("URL only, no body", token=ACCOUNT_TOKEN, url=STATUS_URL, body=NO_BODY),
        request(
            "empty form is the same as no body",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=NO_BODY, receiver_body=form([]),
        ),
        request(
            "signed without port, received with :443",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=status,
            receiver_url="https://hooks.example.com:443/twilio/status",
        ),
        request(
            "signed with :443, received without port",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com:443/twilio/status", body=status,
            receiver_url=STATUS_URL,
        ),
        request(
            "http signed with :80, received without port",
            token=ACCOUNT_TOKEN, url="http://hooks.example.com:80/twilio/status", body=status,
            receiver_url="http://hooks.example.com/twilio/status",
        ),
        request(
            "http signed without port, received with :80",
            token=ACCOUNT_TOKEN, url="http://hooks.example.com/twilio/status", body=status,
            receiver_url="http://hooks.example.com:80/twilio/status",
        ),
        request(
            "https signed with :80 is not an https default",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com:80/twilio/status", body=status,
            receiver_url=STATUS_URL,
        ),
        request(
            "signed over https, received as http",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=status,
            receiver_url="http://hooks.example.com/twilio/status",
        ),
        request(
            "non-default port kept",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com:8443/twilio/status", body=status,
        ),
        request(
            "non-default port received, signed without port: remove_port drops any port",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=status,
            receiver_url="https://hooks.example.com:8443/twilio/status",
        ),
        request(
            "signed with non-default port, received without port",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com:8443/twilio/status", body=status,
            receiver_url=STATUS_URL,
        ),
        request(
            "signed with :443, received with another port",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com:443/twilio/status", body=status,
            receiver_url="https://hooks.example.com:8443/twilio/status",
        ),
        request(
            "host case matters",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=status,
            receiver_url="https://Hooks.Example.com/twilio/status",
        ),
        request(
            "scheme is lowercased by the SDK before signing is checked",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=status,
            receiver_url="HTTPS://hooks.example.com/twilio/status",
        ),
        request(
            "signature over an upper-case scheme never matches",
            token=ACCOUNT_TOKEN, url="HTTPS://hooks.example.com/twilio/status", body=status,
        ),
        request(
            "path prefix must be part of the URL",
            token=ACCOUNT_TOKEN, url="https://example.com/tidings/twilio/status", body=status,
            receiver_url="https://example.com/twilio/status",
        ),
        request(
            "path prefix kept",
            token=ACCOUNT_TOKEN, url="https://example.com/tidings/twilio/status", body=status,
        ),
        request(
            "trailing slash matters",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=status, receiver_url=STATUS_URL + "/",
        ),
        request(
            "query string with escapes is signed as written",
            token=ACCOUNT_TOKEN, url=STATUS_URL + "?name=J%C3%B6rg&note=a+b&pct=100%25", body=status,
        ),
        request(
            "query string decoded by the receiver fails",
            token=ACCOUNT_TOKEN, url=STATUS_URL + "?name=J%C3%B6rg&note=a+b", body=status,
            receiver_url=STATUS_URL + "?name=J\u00f6rg&note=a b",
        ),
        request(
            "query string dropped by the receiver fails",
            token=ACCOUNT_TOKEN, url=STATUS_URL + "?tenant=7", body=status, receiver_url=STATUS_URL,
        ),
        request(
            "query string with a port added",
            token=ACCOUNT_TOKEN, url=STATUS_URL + "?tenant=7", body=status,
            receiver_url="https://hooks.example.com:443/twilio/status?tenant=7",
        ),
        request(
            "empty query: the SDK drops the ?",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=status, receiver_url=STATUS_URL + "?",
        ),
        request(
            "empty query: a signature over the ? never matches",
            token=ACCOUNT_TOKEN, url=STATUS_URL + "?", body=status,
        ),
        request(
            "empty fragment and empty path parameter are dropped",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=status, receiver_url=STATUS_URL + ";#",
        ),
        request(
            "non-empty path parameter and fragment are kept",
            token=ACCOUNT_TOKEN, url=STATUS_URL + ";v=1?x=1#top", body=status,
            receiver_url="https://hooks.example.com:443/twilio/status;v=1?x=1#top",
        ),
        request(
            "credentials in the URL, no port",
            token=ACCOUNT_TOKEN, url="https://user:secret@hooks.example.com/twilio/status", body=status,
        ),
        request(
            "credentials in the URL: remove_port cuts at the first colon",
            token=ACCOUNT_TOKEN, url="https://user:secret@hooks.example.com/twilio/status", body=status,
            receiver_url="https://user:secret@hooks.example.com:443/twilio/status",
        ),
        request(
            "IPv6 host with a port",
            token=ACCOUNT_TOKEN, url="https://[2001:db8::1]:8443/twilio/status", body=status,
        ),
        request(
            "IPv6 host without a port gets :443",
            token=ACCOUNT_TOKEN, url="https://[2001:db8::1]:443/twilio/status", body=status,
            receiver_url="https://[2001:db8::1]/twilio/status",
        ),
        request(
            "port 0 counts as no port",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com:0:443/twilio/status", body=status,
            receiver_url="https://hooks.example.com:0/twilio/status",
        ),
        request(
            "empty port counts as no port",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com::443/twilio/status", body=status,
            receiver_url="https://hooks.example.com:/twilio/status",
        ),
        request(
            "non-numeric port is refused",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com:https/twilio/status", body=status,
        ),
        request(
            "out-of-range port is refused",
            token=ACCOUNT_TOKEN, url="https://hooks.example.com:65536/twilio/status", body=status,
        ),
        # Parameter names and values.
        request("unicode names and values in code point order", token=ACCOUNT_TOKEN, url=STATUS_URL, body=form(UNICODE_PARAMS)),
        request(
            "canonically equivalent names are distinct",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=form(UNICODE_PARAMS),
            receiver_body=form([["\u00e9" if name == "e\u0301" else name, value] for name, value in UNICODE_PARAMS]),
        ),
        request(
            "canonically equivalent values are distinct",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=form([["Body", "e\u0301"]]),
            receiver_body=form([["Body", "\u00e9"]]),
        ),
        request(
            "repeated name with a repeated value",
            token=ACCOUNT_TOKEN, url=STATUS_URL,
            body=form([["MediaUrl", "https://m.example/b"], ["MediaUrl", "https://m.example/a"], ["Body", "hi"], ["MediaUrl", "https://m.example/b"]]),
        ),
        request(
            "a repeated value is signed once",
            token=ACCOUNT_TOKEN, url=STATUS_URL,
            body=form([["MediaUrl", "https://m.example/b"], ["MediaUrl", "https://m.example/a"], ["MediaUrl", "https://m.example/b"]]),
            receiver_body=form([["MediaUrl", "https://m.example/a"], ["MediaUrl", "https://m.example/b"]]),
        ),
        request(
            "a dropped repeat of a distinct value fails",
            token=ACCOUNT_TOKEN, url=STATUS_URL,
            body=form([["MediaUrl", "https://m.example/b"], ["MediaUrl", "https://m.example/a"]]),
            receiver_body=form([["MediaUrl", "https://m.example/a"]]),
        ),
        request(
            "empty values and an empty name",
            token=ACCOUNT_TOKEN, url=STATUS_URL,
            body=form([["ErrorCode", ""], ["Body", ""], ["", "nameless"], ["To", "+15558675310"]]),
        ),
        request(
            "plus, spaces, percent and separators in values",
            token=ACCOUNT_TOKEN, url=STATUS_URL,
            body=form([["Body", "+1 555 100% a+b %2B &x=y"], ["To", "whatsapp:+15558675310"], ["A B", " "]]),
        ),
        request(
            "a value that was '+' is not a space",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=form([["To", "+15558675310"]]),
            receiver_body=form([["To", " 15558675310"]]),
        ),
        request(
            "non-ASCII token",
            token="t\u00f6k\u00e9n-\U0001f511", url=STATUS_URL, body=status,
        ),
        # SharedKey signatures and the settings header.
        request(
            "HMAC-SHA256 named by the settings header",
            token=SHARED_KEY, url=STATUS_URL, body=status, algorithm="HMAC_SHA256", settings=SHARED_KEY_SETTINGS,
        ),
        request(
            "HMAC-SHA256 with a port added",
            token=SHARED_KEY, url=STATUS_URL, body=status, algorithm="HMAC_SHA256", settings=SHARED_KEY_SETTINGS,
            receiver_url="https://hooks.example.com:443/twilio/status",
        ),
        request(
            "HMAC-SHA256, algorithm name in lower case, spaces around",
            token=SHARED_KEY, url=STATUS_URL, body=status, algorithm="HMAC_SHA256",
            settings="key=webhooks_sharedkey_01JZ8Q2N4V6X8Z0B2D4F6H8J0K, algorithm = hmac_sha256 ",
        ),
        request(
            "HMAC-SHA256 after an empty algorithm part",
            token=SHARED_KEY, url=STATUS_URL, body=status, algorithm="HMAC_SHA256",
            settings="algorithm=,key=webhooks_sharedkey_01JZ8Q2N4V6X8Z0B2D4F6H8J0K,algorithm=HMAC_SHA256",
        ),
        request(
            "HMAC-SHA256 signature without the settings header fails",
            token=SHARED_KEY, url=STATUS_URL, body=status, algorithm="HMAC_SHA256",
        ),
        request(
            "HMAC-SHA1 signature with a settings header naming HMAC-SHA256 fails",
            token=SHARED_KEY, url=STATUS_URL, body=status, settings=SHARED_KEY_SETTINGS,
        ),
        request(
            "settings key is case-sensitive: Algorithm= is ignored",
            token=SHARED_KEY, url=STATUS_URL, body=status, algorithm="HMAC_SHA256",
            settings="key=webhooks_sharedkey_01JZ8Q2N4V6X8Z0B2D4F6H8J0K,Algorithm=HMAC_SHA256",
        ),
        request(
            "settings without an algorithm mean HMAC-SHA1",
            token=SHARED_KEY, url=STATUS_URL, body=status, settings="key=webhooks_sharedkey_01JZ8Q2N4V6X8Z0B2D4F6H8J0K",
        ),
        request(
            "unsupported algorithm is refused",
            token=SHARED_KEY, url=STATUS_URL, body=status, algorithm="HMAC_SHA256",
            settings="key=webhooks_sharedkey_01JZ8Q2N4V6X8Z0B2D4F6H8J0K,algorithm=HMAC_SHA512",
        ),
        request(
            "HMAC-SHA256 under the wrong secret",
            token=SHARED_KEY, url=STATUS_URL, body=status, algorithm="HMAC_SHA256", settings=SHARED_KEY_SETTINGS,
            receiver_token=ACCOUNT_TOKEN,
        ),
    ]

    # JSON bodies: the URL carries bodySHA256 and is signed alone.
    hashed_url = f"{STATUS_URL}?bodySHA256={body_hash(JSON_BODY)}"
    vectors += [
        request("JSON body with its hash", token=ACCOUNT_TOKEN, url=hashed_url, body=json_body(JSON_BODY)),
        request(
            "JSON body with its hash, port added",
            token=ACCOUNT_TOKEN, url=hashed_url, body=json_body(JSON_BODY),
            receiver_url=f"https://hooks.example.com:443/twilio/status?bodySHA256={body_hash(JSON_BODY)}",
        ),
        request(
            "JSON body tampered",
            token=ACCOUNT_TOKEN, url=hashed_url, body=json_body(JSON_BODY),
            receiver_body=json_body(JSON_BODY.replace("delivered", "failed")),
        ),
        request(
            "JSON body whose URL carries another body's hash",
            token=ACCOUNT_TOKEN, url=f"{STATUS_URL}?bodySHA256={body_hash('{}')}", body=json_body(JSON_BODY),
        ),
        request(
            "JSON body hash in upper case",
            token=ACCOUNT_TOKEN, url=f"{STATUS_URL}?bodySHA256={body_hash(JSON_BODY).upper()}", body=json_body(JSON_BODY),
        ),
        request(
            "JSON body without bodySHA256",
            token=ACCOUNT_TOKEN, url=STATUS_URL, body=json_body(JSON_BODY),
        ),
        request(
            "JSON body: an empty bodySHA256 is skipped, the next one counts",
            token=ACCOUNT_TOKEN, url=f"{STATUS_URL}?bodySHA256=&bodySHA256={body_hash(JSON_BODY)}&x=1",
            body=json_body(JSON_BODY),
        ),
        request(
            "JSON body: the first bodySHA256 counts",
            token=ACCOUNT_TOKEN, url=f"{STATUS_URL}?bodySHA256={body_hash('{}')}&bodySHA256={body_hash(JSON_BODY)}",
            body=json_body(JSON_BODY),
        ),
        request(
            "JSON body: bodySHA256 name percent-encoded",
            token=ACCOUNT_TOKEN, url=f"{STATUS_URL}?tenant=7&body%53HA256={body_hash(JSON_BODY)}",
            body=json_body(JSON_BODY),
        ),
        request(
            "JSON body: a malformed escape in bodySHA256 never matches",
            token=ACCOUNT_TOKEN, url=f"{STATUS_URL}?bodySHA256={body_hash(JSON_BODY)}%",
            body=json_body(JSON_BODY),
        ),
        request(
            "empty JSON body with its hash",
            token=ACCOUNT_TOKEN, url=f"{STATUS_URL}?bodySHA256={body_hash('')}", body=json_body(""),
        ),
        request(
            "JSON body, HMAC-SHA256",
            token=SHARED_KEY, url=hashed_url, body=json_body(JSON_BODY), algorithm="HMAC_SHA256",
            settings=SHARED_KEY_SETTINGS,
        ),
        request(
            "form body ignores bodySHA256 in the query",
            token=ACCOUNT_TOKEN, url=f"{STATUS_URL}?bodySHA256={body_hash('{}')}", body=status,
        ),
    ]
    return vectors


FORM_BODIES = [
    ("status callback",
     "SmsSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&SmsStatus=delivered&MessageStatus=delivered"
     "&To=%2B15558675310&MessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f"
     "&AccountSid=ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX&From=%2B15017250604&ApiVersion=2010-04-01"),
    ("repeats kept in order", "MediaUrl0=b&Body=x&MediaUrl0=a&MediaUrl0=b"),
    ("empty segments skipped", "&a=1&&b=2&"),
    ("only separators", "&&&"),
    ("empty body", ""),
    ("plus is a space, %2B a plus", "Body=Hello+world%21+%2B1+100%25+a%26b%3Dc"),
    ("percent-encoded UTF-8, either hex case", "Body=J%C3%B6rg+%F0%9F%98%80&%c3%a9=e%CC%81"),
    ("name without =, empty value, empty name, = in value", "flag&x=&=y&a=b=c"),
    ("raw UTF-8 passes through", "Body=Gr\u00fc\u00dfe+\u65e5\u672c"),
    ("escaped separators in the name", "%20%26%3D=%3D%26"),
    ("whatsapp address", "To=whatsapp%3A%2B15558675310&From=whatsapp:+15017250604"),
]


SIGNATURE_SETTINGS = [
    None,
    "",
    "key=webhooks_sharedkey_01JZ8Q2N4V6X8Z0B2D4F6H8J0K",
    SHARED_KEY_SETTINGS,
    "algorithm=HMAC_SHA1,key=webhooks_sharedkey_01JZ8Q2N4V6X8Z0B2D4F6H8J0K",
    " key = k1 , algorithm = hmac_sha256 ",
    "Algorithm=HMAC_SHA256",
    "algorithm=",
    "algorithm= ,algorithm=HMAC_SHA256",
    "algorithm",
    "key=k1;algorithm=HMAC_SHA256",
    "algorithm=HMAC_SHA256=x",
    "algorithm=HMAC_SHA512",
    "algorithm=HMAC-SHA256",
]


def signature_settings():
    """The algorithm name get_signature_algorithm() reads from each header value; the SDK
    then matches it, upper-cased, against HMAC_SHA1 and HMAC_SHA256."""
    return [{"header": header, "algorithm": get_signature_algorithm(header)} for header in SIGNATURE_SETTINGS]


def form_bodies():
    return [
        {
            "description": description,
            "raw": raw,
            "parameters": [list(pair) for pair in parse_qsl(raw, keep_blank_values=True, strict_parsing=False)],
        }
        for description, raw in FORM_BODIES
    ]


def main():
    vectors = requests()
    documented = vectors[0]
    assert documented["computedSignature"] == DOCUMENTED_SIGNATURE, documented
    assert documented["valid"], documented
    OUTPUT.write_text(
        json.dumps(
            {
                "generator": {
                    "script": "generate_signature_vectors.py",
                    "twilio": twilio.__version__,
                    "python": platform.python_version(),
                },
                "requests": vectors,
                "signatureSettings": signature_settings(),
                "formBodies": form_bodies(),
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    valid = sum(vector["valid"] for vector in vectors)
    print(f"wrote {OUTPUT.name}: {len(vectors)} requests ({valid} valid), {len(FORM_BODIES)} form bodies")


if __name__ == "__main__":
    main()
