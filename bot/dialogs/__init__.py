"""aiogram-dialog dialogs, one per module; every StatesGroup lives in `states`."""
