/* The application around a shared-library build of a corpus release
 * (lib_vN.c built with -shared -fPIC -Dmain=corpus_main): knows nothing of
 * the library's types. */
int corpus_main(void);

int main(void)
{
	return corpus_main();
}
