/** Descent nn: modules and layers over core's ops, initialisers, model files. Depends on core only. */
module dev.descent.nn {
    requires transitive dev.descent.core;

    exports dev.descent.nn;
}
