#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <yaml.h>

static PyObject *libyaml_version(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(yaml_get_version_string());
}

/* Parse a YAML document with libyaml and count its scalar events. */
static PyObject *count_scalars(PyObject *self, PyObject *args) {
    const char *text;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#", &text, &len)) return NULL;
    yaml_parser_t parser;
    yaml_event_t event;
    long count = 0;
    int done = 0;
    if (!yaml_parser_initialize(&parser)) return PyErr_NoMemory();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, (size_t)len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &event)) {
            PyErr_Format(PyExc_ValueError, "YAML error: %s", parser.problem ? parser.problem : "unknown");
            yaml_parser_delete(&parser);
            return NULL;
        }
        if (event.type == YAML_SCALAR_EVENT) count++;
        done = (event.type == YAML_STREAM_END_EVENT);
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return PyLong_FromLong(count);
}

static PyMethodDef methods[] = {
    {"libyaml_version", libyaml_version, METH_NOARGS, "Version of the linked libyaml."},
    {"count_scalars", count_scalars, METH_VARARGS, "Number of scalars in a YAML text."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_yamlfast", NULL, -1, methods};

PyMODINIT_FUNC PyInit__yamlfast(void) { return PyModule_Create(&module); }
