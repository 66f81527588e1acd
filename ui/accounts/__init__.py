"""Who is working: the sign-in dialog at start, 切换用户 / 退出登录, and each server account's own profile."""
