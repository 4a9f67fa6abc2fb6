/* Swagger UI over our OpenAPI document (its URL is on the page). A file, not inline code: the
   Content-Security-Policy runs only scripts carrying this request's nonce. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  window.gridApiDocs = SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,  // no badge fetched from another host
    // The document needs the session cookie; nothing is sent to another host.
    requestInterceptor: function (request) {
      request.credentials = "same-origin";
      return request;
    },
    onComplete: function () {
      root.setAttribute("data-loaded", "1");
    }
  });
}());
