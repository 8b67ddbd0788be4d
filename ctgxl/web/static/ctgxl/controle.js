// « Contrôler des classeurs »: with JavaScript, the upload shows its progress, then the
// report page opens. Without it, the form is posted as usual.
(function () {
  "use strict";
  var form = document.getElementById("formulaire-controle");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) {
    return;
  }
  var box = document.getElementById("progression");
  var text = document.getElementById("progression-texte");
  var bar = document.getElementById("progression-barre");
  var button = document.getElementById("bouton-controler");
  var errorBox = document.getElementById("erreur-js");
  var errorText = document.getElementById("erreur-js-texte");

  function show(message, percent) {
    box.hidden = false;
    text.textContent = message;
    if (percent === null) {
      bar.removeAttribute("value");
    } else {
      bar.value = percent;
    }
  }

  function fail(message) {
    box.hidden = true;
    button.disabled = false;
    errorText.textContent = message;
    errorBox.hidden = false;
    errorBox.focus();
  }

  form.addEventListener("submit", function (event) {
    var input = document.getElementById("fichiers");
    if (!input.files || input.files.length === 0) {
      return; // the browser's own "required" message, or the server's
    }
    event.preventDefault();
    errorBox.hidden = true;
    button.disabled = true;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        var percent = Math.round((progress.loaded / progress.total) * 100);
        show("Envoi des classeurs : " + percent + " %", percent);
      }
    });
    request.upload.addEventListener("load", function () {
      show("Contrôle des classeurs en cours…", null);
    });
    request.addEventListener("load", function () {
      if (request.status >= 200 && request.status < 300 && request.responseURL) {
        show("Contrôle terminé, ouverture du rapport…", 100);
        window.location.assign(request.responseURL);
        return;
      }
      var page = new DOMParser().parseFromString(request.responseText || "", "text/html");
      var said = page.querySelector("#erreur-envoi p") || page.querySelector("main p");
      fail(said ? said.textContent : "L'envoi a échoué (code " + request.status + "). Réessayez.");
    });
    request.addEventListener("error", function () {
      fail("L'envoi a échoué : le serveur ne répond pas. Vérifiez la connexion et réessayez.");
    });
    show("Envoi des classeurs : 0 %", 0);
    request.send(new FormData(form));
  });
})();
