"""Speech for the lobby robot: text normalisation, TTS (espeak-ng), ASR (Vosk), the robot loop."""
