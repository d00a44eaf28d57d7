/* The gate's camera scan: the browser's BarcodeDetector when it has one, else the vendored
   jsQR decoder on video frames. A decoded QR fills the code field and sends the form. */
(function () {
  "use strict";
  var button = document.getElementById("scan-start");
  var box = document.getElementById("scan");
  var field = document.getElementById("gate-code");
  if (!button || !box || !field) return;
  var video = box.querySelector("video");
  var stopButton = document.getElementById("scan-stop");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var detector = null;

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    button.hidden = true;
    return;
  }
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    box.hidden = true;
  }

  function found(text) {
    stop();
    field.value = text;
    field.form.submit();
  }

  function frame() {
    if (!stream) return;
    if (video.readyState < 2) { requestAnimationFrame(frame); return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) { found(codes[0].rawValue); } else { requestAnimationFrame(frame); }
      }).catch(function () { detector = null; requestAnimationFrame(frame); });
      return;
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR ? window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" }) : null;
    if (code && code.data) { found(code.data); } else { requestAnimationFrame(frame); }
  }

  button.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.setAttribute("playsinline", "");
        box.hidden = false;
        return video.play();
      })
      .then(function () { requestAnimationFrame(frame); })
      .catch(function () {
        stop();
        var note = document.getElementById("scan-failed");
        if (note) note.hidden = false;
      });
  });
  if (stopButton) stopButton.addEventListener("click", stop);
})();
