"""The one error type the tool raises for bad input: it always names the file."""

from __future__ import annotations


class InputError(Exception):
    """A file that cannot be read as a budget document (empty, binary, unknown encoding…)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


_OS_PROBLEMS = {
    "EACCES": "没有权限", "EPERM": "不允许的操作", "ENOENT": "文件或文件夹不存在", "ENOSPC": "磁盘空间不足",
    "EROFS": "只读的文件系统", "EISDIR": "这是一个文件夹，不是文件", "ENOTDIR": "路径中有一段不是文件夹",
    "EEXIST": "已存在", "ENAMETOOLONG": "文件名太长", "EMFILE": "打开的文件太多", "EBUSY": "文件正被占用",
    "EDQUOT": "超出磁盘配额", "EIO": "读写设备出错", "ELOOP": "符号链接循环", "EINVAL": "无效的文件名或参数",
    "EXDEV": "不能跨磁盘改名", "ETXTBSY": "文件正被占用", "ENOTEMPTY": "文件夹不是空的",
}


def describe_os_error(exc: OSError) -> str:
    """An operating-system error in Chinese (the system's own text is English on most machines)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_PROBLEMS.get(name) or exc.strerror or type(exc).__name__
