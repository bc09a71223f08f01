/** Descent data: datasets, loaders, transforms and synthetic data. Depends on core only. */
module dev.descent.data {
    requires transitive dev.descent.core;

    exports dev.descent.data;
}
