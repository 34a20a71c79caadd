// Only the header matters: it declares a function of the libFuzzer runtime.
