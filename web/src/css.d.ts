// CSS files are bundled by esbuild: importing one only adds it to the stylesheet.
declare module "*.css" {}
