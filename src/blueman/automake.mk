# dpu-blueman: the web dashboard (BlueMan).
noinst_LTLIBRARIES += src/blueman/libblueman.la
src_blueman_libblueman_la_SOURCES = \
	src/blueman/auth.c src/blueman/auth.h \
	src/blueman/data.c src/blueman/data.h \
	src/blueman/pam.c \
	src/blueman/tls.c src/blueman/tls.h
src_blueman_libblueman_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(GNUTLS_CFLAGS) $(CURL_CFLAGS) \
	$(XCRYPT_CFLAGS) $(PAM_CFLAGS)
src_blueman_libblueman_la_LIBADD = hal/libdpuhal.la src/common/libdpucommon.la $(JSONC_LIBS) \
	$(GNUTLS_LIBS) $(CURL_LIBS) $(XCRYPT_LIBS) $(PAM_LIBS) -lm

blueman_wwwdir = $(pkgdatadir)/blueman/www
dist_blueman_www_DATA = src/blueman/www/index.html src/blueman/www/app.js \
	src/blueman/www/style.css

bin_PROGRAMS += src/blueman/dpu-blueman
src_blueman_dpu_blueman_SOURCES = src/blueman/main.c
src_blueman_dpu_blueman_CPPFLAGS = $(AM_CPPFLAGS) -DBLUEMAN_WWW_DIR='"$(blueman_wwwdir)"'
src_blueman_dpu_blueman_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(MICROHTTPD_CFLAGS) $(CURL_CFLAGS) \
	$(XCRYPT_CFLAGS)
src_blueman_dpu_blueman_LDADD = src/blueman/libblueman.la hal/libdpuhal.la \
	src/telemetry/libdpu-telemetry-exporter.la \
	src/common/libdpucommon.la $(MICROHTTPD_LIBS) $(JSONC_LIBS) $(GNUTLS_LIBS) $(CURL_LIBS) \
	$(XCRYPT_LIBS) $(PAM_LIBS) -lpthread -lm
