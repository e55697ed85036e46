<!-- the dashboard's app.js: written in the next commit -->
