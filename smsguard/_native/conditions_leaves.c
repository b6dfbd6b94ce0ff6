/* smsguard._cconditions, the leaves: the literal tests of the pack's literal pass, signal tests, rule references and
 * the sender, each computing what its Python closure (smsguard/lang/builtins.py, values.py, expressions.py)
 * computes.
 *
 * A leaf reads the slots of an exact MatchContext directly. For anything else (another context class, a table that
 * is not a dict of lists, a span that is not a pair of ints where the order of the closure's work matters) it calls
 * its closure instead; it decides that before anything it does could be seen.
 */
#include "conditions.h"



Layout sg_layout;


static inline PyObject *
signal_field(PyObject *signal, Py_ssize_t offset, PyObject *name)
{
    if (Py_IS_TYPE(signal, sg_layout.signal)) {
        PyObject *value = sg_slot(signal, offset);
        if (value != NULL) {
            return Py_NewRef(value);
        }
    }
    return PyObject_GetAttr(signal, name);
}

/* Whether ``signal`` holds: its value is truthy, or (K_SIGNAL_COMPARE) compares true with the constant, a TypeError
 * of reading or comparing the value counting as false. 1, 0, or -1 with an exception. */
static int
signal_holds(Node *node, PyObject *signal)
{
    PyObject *value = signal_field(signal, sg_layout.value, sg_str_value);
    int truth;
    if (node->kind != K_SIGNAL_COMPARE) {
        truth = value == NULL ? -1 : PyObject_IsTrue(value);
        Py_XDECREF(value);
        return truth;
    }
    PyObject *holds = value == NULL ? NULL
                      : node->flag  ? PyObject_RichCompare(value, node->constant, node->op)
                                    : PyObject_RichCompare(node->constant, value, node->op);
    Py_XDECREF(value);
    if (holds == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError)) {
            return -1;
        }
        PyErr_Clear();
        return 0;
    }
    truth = PyObject_IsTrue(holds);
    Py_DECREF(holds);
    return truth;
}

/* The spans of the first signal of ``same`` that holds: a new reference, NULL with an exception, or NULL with
 * *none = 1 when none holds. */
static PyObject *
first_signal(Node *node, PyObject *same, int *none)
{
    PyObject *signal, *out = NULL, *iter = NULL;
    *none = 0;
    Py_INCREF(same);  /* a value's __bool__ could drop the table's reference */
    if (!PyList_CheckExact(same) && (iter = PyObject_GetIter(same)) == NULL) {
        Py_DECREF(same);
        return NULL;
    }
    for (Py_ssize_t i = 0;; i++) {
        if (iter == NULL) {
            if (i >= PyList_GET_SIZE(same)) {
                break;
            }
            signal = Py_NewRef(PyList_GET_ITEM(same, i));
        }
        else if ((signal = PyIter_Next(iter)) == NULL) {
            if (PyErr_Occurred()) {
                goto done;
            }
            break;
        }
        int truth = signal_holds(node, signal);
        if (truth > 0) {
            out = signal_field(signal, sg_layout.spans, sg_str_spans);
        }
        Py_DECREF(signal);
        if (truth != 0) {
            goto done;
        }
    }
    *none = 1;
done:
    Py_XDECREF(iter);
    Py_DECREF(same);
    return out;
}

/* compile_signals_condition and compile_signal_compare */
static PyObject *
signals(Node *node, PyObject *ctx)
{
    PyObject *table = sg_slot(ctx, sg_layout.signals);
    if (table == NULL || !PyDict_CheckExact(table)) {
        return sg_call_ref(node, ctx);
    }
    Py_INCREF(table);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(node->items); k++) {
        PyObject *same = PyDict_GetItemWithError(table, PyTuple_GET_ITEM(node->items, k));
        if (same == NULL) {
            if (PyErr_Occurred()) {
                Py_DECREF(table);
                return NULL;
            }
            continue;
        }
        int none;
        PyObject *out = first_signal(node, same, &none);
        if (!none) {
            Py_DECREF(table);
            return out;
        }
    }
    Py_DECREF(table);
    Py_RETURN_NONE;
}

PyObject *
sg_leaf_eval(Node *node, PyObject *ctx)
{
    if (sg_layout.context == NULL || !Py_IS_TYPE(ctx, sg_layout.context)) {
        return sg_call_ref(node, ctx);
    }
    PyObject *found;
    switch (node->kind) {
    case K_SIGNALS:
    case K_SIGNAL_COMPARE:
        return signals(node, ctx);
    case K_RULE: {
        PyObject *results = sg_slot(ctx, sg_layout.rule_results);
        if (results == NULL || !PyList_CheckExact(results)) {
            return sg_call_ref(node, ctx);
        }
        if (node->number >= PyList_GET_SIZE(results)) {
            Py_RETURN_NONE;
        }
        return Py_NewRef(PyList_GET_ITEM(results, node->number));
    }
    case K_SENDER: {
        PyObject *sender = sg_slot(ctx, sg_layout.sender);
        if (sender == NULL || !PyUnicode_CheckExact(sender)) {
            return sg_call_ref(node, ctx);
        }
        if (PyUnicode_GET_LENGTH(sender) == 0) {
            Py_RETURN_NONE;
        }
        int in = PySet_Contains(node->constant, sender);
        if (in != 0) {
            return in < 0 ? NULL : PyTuple_New(0);
        }
        if (node->flag) {
            return sg_call_ref(node, ctx);  /* the regexes */
        }
        Py_RETURN_NONE;
    }
    default:
        break;
    }
    found = sg_slot(ctx, sg_layout.found);
    if (found == NULL || !PyDict_CheckExact(found)) {
        return sg_call_ref(node, ctx);
    }
    switch (node->kind) {
    case K_LITERAL:
    case K_PROBED:
    case K_INTERSECTED:
        return sg_any_literals(node, ctx, found);
    case K_NEAR:
        return sg_near(node, ctx, found);
    case K_COUNT_COMPARE:
        return sg_count_compare(node, ctx, found);
    case K_NONE_OF:
    case K_SIGNATURE_GUARD: {
        int none = sg_disjoint(&node->terms, ctx, found);
        if (none < 0) {
            return none == SG_SCAN_BAIL ? sg_call_ref(node, ctx) : NULL;
        }
        if (node->kind == K_NONE_OF) {
            return none ? PyTuple_New(0) : Py_NewRef(Py_None);
        }
        return none ? Py_NewRef(Py_None) : sg_call_ref(node, ctx);
    }
    default:
        PyErr_SetString(PyExc_SystemError, "unknown condition node");
        return NULL;
    }
}
