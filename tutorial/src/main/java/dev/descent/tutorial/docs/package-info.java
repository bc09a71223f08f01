/**
 * The generator that copies tagged regions of the examples, methods of the library's sources and the
 * chapters' printed output into the Markdown chapters, so that the text cannot drift from the code.
 */
package dev.descent.tutorial.docs;
