/* The host tests of the link checker (plugins/link.py, plugins/_brands.py) in C: the suffix look-ups of
 * official_brand and _under, the at-sign and the punycode tests. */
#include "link.h"

int
link_suffixes_init(link_suffixes *s, PyObject *host)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(host), dots = 0;
    int kind = PyUnicode_KIND(host);
    const void *data = PyUnicode_DATA(host);
    for (Py_ssize_t i = 0; i < len; i++) {
        dots += PyUnicode_READ(kind, data, i) == '.';
    }
    s->host = host;
    s->n = dots + 1;
    s->starts = s->n <= 16 ? s->small_starts : PyMem_New(Py_ssize_t, s->n);
    s->made = s->n <= 16 ? s->small_made : PyMem_New(PyObject *, s->n);
    if (s->starts == NULL || s->made == NULL) {
        if (s->n > 16) {
            PyMem_Free(s->starts);
            PyMem_Free(s->made);
        }
        s->n = 0;
        PyErr_NoMemory();
        return -1;
    }
    s->starts[0] = 0;
    for (Py_ssize_t i = 0, k = 1; i < len; i++) {
        if (PyUnicode_READ(kind, data, i) == '.') {
            s->starts[k++] = i + 1;
        }
    }
    memset(s->made, 0, (size_t)s->n * sizeof(PyObject *));
    return 0;
}

void
link_suffixes_clear(link_suffixes *s)
{
    for (Py_ssize_t i = 0; i < s->n; i++) {
        Py_XDECREF(s->made[i]);
    }
    if (s->n > 16) {
        PyMem_Free(s->starts);
        PyMem_Free(s->made);
    }
}

/* ".".join(host.split(".")[i:]), borrowed */
static PyObject *
suffix(link_suffixes *s, Py_ssize_t i)
{
    if (s->made[i] == NULL) {
        s->made[i] = i == 0 ? Py_NewRef(s->host)
                            : PyUnicode_Substring(s->host, s->starts[i], PyUnicode_GET_LENGTH(s->host));
    }
    return s->made[i];
}

/* official_brand(host): a new reference to the brand, NULL with *error 0 for none */
PyObject *
link_official_owner(PyObject *official, link_suffixes *s, int *error)
{
    for (Py_ssize_t i = 0; i < s->n; i++) {
        PyObject *key = suffix(s, i), *brand = key == NULL ? NULL : PyDict_GetItemWithError(official, key);
        if (brand != NULL && brand != Py_None) {
            return Py_NewRef(brand);
        }
        if (brand == NULL && PyErr_Occurred()) {
            *error = 1;
            return NULL;
        }
    }
    return NULL;
}

/* _under(host, domains): 1, 0, or -1 */
int
link_under(PyObject *domains, link_suffixes *s)
{
    for (Py_ssize_t i = 0; i < s->n; i++) {
        PyObject *key = suffix(s, i);
        int found = key == NULL ? -1 : PySet_Contains(domains, key);
        if (found != 0) {
            return found;
        }
    }
    return 0;
}

/* "@" in text.split("?", 1)[0] */
int
link_at_sign(PyObject *text)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == '?' || c == '@') {
            return c == '@';
        }
    }
    return 0;
}

/* any(label.startswith("xn--") for label in host.split(".")) or not host.isascii() */
int
link_punycode(PyObject *host)
{
    if (!PyUnicode_IS_ASCII(host)) {
        return 1;
    }
    const char *c = (const char *)PyUnicode_1BYTE_DATA(host);
    Py_ssize_t len = PyUnicode_GET_LENGTH(host);
    for (Py_ssize_t i = 0; i + 4 <= len; i++) {
        if ((i == 0 || c[i - 1] == '.') && memcmp(c + i, "xn--", 4) == 0) {
            return 1;
        }
    }
    return 0;
}
